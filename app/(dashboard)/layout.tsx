import type { ReactNode } from "react";
import { Logo } from "@/components/logo";
import { SignOutButton } from "@/components/sign-out-button";
import { SiteHeaderNav } from "@/components/site-header-nav";
import { ThemeToggle } from "@/components/theme-toggle";
import { requireUser } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      {/* The aside (its background and border) spans the whole page; its content sticks in view. */}
      <aside className="shrink-0 border-b bg-card md:w-60 md:border-r md:border-b-0">
        <div className="flex flex-col gap-4 p-3 md:sticky md:top-0 md:h-screen">
          <SiteHeaderNav brand={<Logo />} phoneTools={<ThemeToggle />} />
          <div className="mt-auto hidden flex-col gap-2 border-t pt-3 md:flex">
            <div className="px-2 text-xs text-muted-foreground">
              <div className="truncate font-medium text-foreground">{user.organization.name}</div>
              <div className="truncate" data-testid="signed-in-as">{user.email}</div>
            </div>
            <div className="flex items-center justify-between">
              <SignOutButton />
              <ThemeToggle />
            </div>
          </div>
        </div>
      </aside>
      <main className="min-w-0 flex-1 p-4 md:p-8">
        <div className="mx-auto max-w-6xl">{children}</div>
        <div className="mt-8 md:hidden">
          <SignOutButton />
        </div>
      </main>
    </div>
  );
}
