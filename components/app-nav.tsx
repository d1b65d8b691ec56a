"use client";

import { Activity, BookOpen, Boxes, LayoutDashboard, Plug, Settings } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/lib/utils";

const items = [
  { href: "/", label: "Overview", icon: LayoutDashboard },
  { href: "/connectors", label: "Connectors", icon: Plug },
  { href: "/instances", label: "Instances", icon: Boxes },
  { href: "/events", label: "Events", icon: Activity },
  { href: "/settings", label: "Settings", icon: Settings },
  { href: "/docs", label: "API docs", icon: BookOpen },
];

/**
 * The main navigation: always shown from `md` up; below it, only while `open` (the menu button's
 * state), as a column. Following a link calls `onNavigate` (the menu folds away).
 */
export function AppNav({ id, open, onNavigate }: { id: string; open: boolean; onNavigate: () => void }) {
  const pathname = usePathname();
  return (
    <nav id={id} aria-label="Main" className={cn("flex-col gap-1 md:flex", open ? "flex" : "hidden")}>
      {items.map(({ href, label, icon: Icon }) => {
        const active = href === "/" ? pathname === "/" : pathname.startsWith(href);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? "page" : undefined}
            onClick={onNavigate}
            className={cn(
              "flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
              active && "bg-accent text-foreground",
            )}
          >
            <Icon className="size-4" aria-hidden />
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
