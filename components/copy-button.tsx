"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";

/** Copies text (or what `getText` resolves to) and confirms with a toast. */
export function CopyButton({ text, getText, label = "Copy" }: { text?: string; getText?: () => Promise<string | null>; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    const value = text ?? (await getText?.());
    if (!value) return;
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      toast.success("Copied to the clipboard");
      setTimeout(() => setCopied(false), 1500);
    } catch {
      toast.error("The browser refused clipboard access; select the text and copy it by hand.");
    }
  };
  return (
    <Button type="button" variant="outline" size="sm" onClick={copy} aria-label={label}>
      {copied ? <Check /> : <Copy />} {label}
    </Button>
  );
}
