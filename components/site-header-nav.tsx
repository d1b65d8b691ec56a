"use client";

import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from "react";
import { AppNav } from "@/components/app-nav";
import { MenuButton } from "@/components/menu-button";

/**
 * The sidebar's top: the brand and, on phones, the tools and a menu button that folds the main
 * navigation open; from `md` up the navigation is always shown and the button is gone.
 */
export function SiteHeaderNav({ brand, phoneTools }: { brand: ReactNode; phoneTools: ReactNode }) {
  const [open, setOpen] = useState(false);
  const navId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEscapeToClose(open, setOpen, buttonRef);
  return (
    <>
      <div className="flex items-center justify-between gap-2 px-2 pt-1">
        {brand}
        <div className="flex items-center gap-1 md:hidden">
          {phoneTools}
          <MenuButton ref={buttonRef} open={open} controls={navId} onToggle={() => setOpen((was) => !was)} />
        </div>
      </div>
      <AppNav id={navId} open={open} onNavigate={() => setOpen(false)} />
    </>
  );
}

/** While `open`, Escape closes (`setOpen(false)`) and puts the focus back on the button that opened it. */
function useEscapeToClose(open: boolean, setOpen: (open: boolean) => void, opener: RefObject<HTMLButtonElement | null>): void {
  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      opener.current?.focus();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [open, setOpen, opener]);
}
