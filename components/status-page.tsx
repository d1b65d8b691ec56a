import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import { Logo } from "@/components/logo";
import { Card, CardContent, CardHeader } from "@/components/ui/card";

/** The console's look for a page that is not one: 404, 500. A card under the logo, with the ways on. */
export function StatusPage({ icon: Icon, code, title, children, actions }: { icon: LucideIcon; code: string; title: string; children: ReactNode; actions: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-md">
        <div className="mb-6 flex justify-center">
          <Logo />
        </div>
        <Card>
          <CardHeader>
            <p className="font-mono text-xs text-muted-foreground">{code}</p>
            <h1 className="flex items-center gap-2 text-lg font-semibold leading-tight tracking-tight">
              <Icon className="size-5 shrink-0 text-muted-foreground" aria-hidden />
              {title}
            </h1>
          </CardHeader>
          <CardContent className="grid gap-4 text-sm">
            <div className="text-muted-foreground">{children}</div>
            <nav aria-label="Ways on" className="flex flex-wrap gap-2">
              {actions}
            </nav>
          </CardContent>
        </Card>
      </div>
    </main>
  );
}
