"use client";

import { RefreshCw } from "lucide-react";
import { Button } from "@/components/ui/button";

type Props = {
  /** What is rotated, in "Rotate {label}" and "Confirm rotating the {label}". */
  label: string;
  /** The button's own text before confirming ("Rotate", "Rotate URL"). */
  text: string;
  confirming: boolean;
  setConfirming: (confirming: boolean) => void;
  onConfirm: () => void;
  pending: boolean;
};

/** A rotate button that asks first: Rotate → Confirm rotate / Cancel. */
export function RotateControls({ label, text, confirming, setConfirming, onConfirm, pending }: Props) {
  if (!confirming) {
    return (
      <Button type="button" variant="outline" size="sm" onClick={() => setConfirming(true)} aria-label={`Rotate ${label}`}>
        <RefreshCw aria-hidden /> {text}
      </Button>
    );
  }
  return (
    <span className="flex items-center gap-2" role="group" aria-label={`Confirm rotating the ${label}`}>
      <Button type="button" variant="destructive" size="sm" onClick={onConfirm} disabled={pending}>
        Confirm rotate
      </Button>
      <Button type="button" variant="ghost" size="sm" onClick={() => setConfirming(false)}>
        Cancel
      </Button>
    </span>
  );
}
