"use client";

import { Menu, X } from "lucide-react";
import type { Ref } from "react";
import { Button } from "@/components/ui/button";

/** The phone-only button that shows or hides the element `controls` (the main navigation). */
export function MenuButton({
  ref,
  open,
  controls,
  onToggle,
}: {
  ref?: Ref<HTMLButtonElement>;
  open: boolean;
  controls: string;
  onToggle: () => void;
}) {
  return (
    <Button
      ref={ref}
      variant="ghost"
      size="icon"
      className="md:hidden"
      aria-label="Menu"
      aria-expanded={open}
      aria-controls={controls}
      onClick={onToggle}
    >
      {open ? <X aria-hidden /> : <Menu aria-hidden />}
    </Button>
  );
}
