import { AlertTriangle, ArrowRight, CheckCircle2 } from "lucide-react";
import Link from "next/link";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { AttentionItem } from "@/lib/overview/schema";

/** What needs someone: each item links to the filtered event log or the instance. */
export function AttentionList({ items }: { items: AttentionItem[] }) {
  return (
    <Card className="lg:col-span-3" data-testid="overview-attention">
      <CardHeader>
        <CardTitle className="text-base">Needs attention</CardTitle>
      </CardHeader>
      <CardContent>
        {items.length === 0 ? (
          <p className="flex items-center gap-2 text-sm text-muted-foreground">
            <CheckCircle2 className="size-4 text-success" aria-hidden /> Nothing: every instance is authorized, registered and delivering.
          </p>
        ) : (
          <ul className="grid gap-2">
            {items.map((item) => (
              <li key={`${item.kind}-${item.href}`}>
                <Link
                  href={item.href}
                  data-kind={item.kind}
                  className="group flex items-start gap-3 rounded-md border p-3 transition-colors hover:border-primary/50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                >
                  <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
                  <span className="grid min-w-0 flex-1 gap-0.5">
                    <span className="text-sm font-medium">{item.title}</span>
                    {item.detail ? <span className="break-words text-xs text-muted-foreground">{item.detail}</span> : null}
                  </span>
                  <ArrowRight className="mt-0.5 size-4 shrink-0 text-muted-foreground group-hover:text-foreground" aria-hidden />
                </Link>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
