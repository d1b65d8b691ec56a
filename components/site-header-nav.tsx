"use client";

import { useId, useState, type ReactNode } from "react";
import { AppNav } from "@/components/app-nav";
import { MenuButton } from "@/components/menu-button";

/**
 * The sidebar's top: the brand and, on phones, the tools and a menu button that folds the main
 * navigation open; from `md` up the navigation is always shown and the button is gone.
 */
export function SiteHeaderNav({ brand, phoneTools }: { brand: ReactNode; phoneTools: ReactNode }) {
  const [open, setOpen] = useState(false);
  const navId = useId();
  return (
    <>
      <div className="flex items-center justify-between gap-2 px-2 pt-1">
        {brand}
        <div className="flex items-center gap-1 md:hidden">
          {phoneTools}
          <MenuButton open={open} controls={navId} onToggle={() => setOpen((was) => !was)} />
        </div>
      </div>
      <AppNav id={navId} open={open} onNavigate={() => setOpen(false)} />
    </>
  );
}
