"use client";

import { Eye, EyeOff } from "lucide-react";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { CopyButton } from "@/components/copy-button";
import { RotateControls } from "@/components/rotate-controls";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/action-result";

type Props = {
  /** The input's id and test id. */
  id: string;
  label: string;
  masked: string;
  /** Server actions, bound to what they act on. */
  reveal: () => Promise<ActionResult<{ secret: string }>>;
  rotate: () => Promise<ActionResult<{ masked: string }>>;
  /** What confirming a rotation does to the old value. */
  rotateWarning: string;
  /** The toast after a rotation. */
  rotated: string;
};

/** A masked secret with reveal, copy and rotate (rotation asks for confirmation first). */
export function SecretField({ id, label, masked, reveal, rotate, rotateWarning, rotated }: Props) {
  const [revealed, setRevealed] = useState<string | null>(null);
  const [current, setCurrent] = useState(masked);
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();

  const fetchSecret = async () => {
    const result = await reveal();
    if (!result.ok) {
      toast.error(result.message);
      return null;
    }
    return result.data.secret;
  };

  const toggle = () =>
    startTransition(async () => {
      if (revealed) return setRevealed(null);
      setRevealed(await fetchSecret());
    });

  const confirmRotate = () =>
    startTransition(async () => {
      const result = await rotate();
      setConfirming(false);
      if (!result.ok) return void toast.error(result.message);
      setCurrent(result.data.masked);
      setRevealed(null);
      toast.success(rotated);
    });

  return (
    <div className="grid gap-2">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <div className="flex flex-wrap items-center gap-2">
        <input
          id={id}
          readOnly
          value={revealed ?? current}
          className="h-9 min-w-0 flex-1 rounded-md border bg-muted px-3 font-mono text-sm"
          data-testid={id}
        />
        <Button type="button" variant="outline" size="sm" onClick={toggle} disabled={pending} aria-label={revealed ? `Hide ${label}` : `Reveal ${label}`}>
          {revealed ? <EyeOff /> : <Eye />} {revealed ? "Hide" : "Reveal"}
        </Button>
        <CopyButton getText={async () => revealed ?? (await fetchSecret())} label={`Copy ${label}`} />
        <RotateControls label={label} text="Rotate" confirming={confirming} setConfirming={setConfirming} onConfirm={confirmRotate} pending={pending} />
      </div>
      {confirming ? <p className="text-xs text-destructive">{rotateWarning}</p> : null}
    </div>
  );
}
