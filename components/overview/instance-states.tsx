import Link from "next/link";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { InstanceCounts } from "@/lib/overview/schema";

/** The organization's instances by state, with a link to the list. */
export function InstanceStates({ counts }: { counts: InstanceCounts }) {
  const states = [
    { label: "Active", value: counts.active, tone: "bg-success" },
    { label: "Pending authorization", value: counts.pendingAuthorization, tone: "bg-warning" },
    { label: "Needs re-authorization", value: counts.needsReauthorization, tone: "bg-destructive" },
  ];
  return (
    <Card data-testid="overview-instances">
      <CardHeader>
        <CardTitle className="flex items-baseline justify-between text-base">
          Instances
          <Link href="/instances" className="text-sm font-normal text-primary underline-offset-4 hover:underline">
            {counts.total} in all
          </Link>
        </CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="grid gap-2 text-sm">
          {states.map((state) => (
            <div key={state.label} className="flex items-center justify-between gap-3">
              <dt className="flex items-center gap-2 text-muted-foreground">
                <span className={`size-2 rounded-full ${state.tone}`} aria-hidden />
                {state.label}
              </dt>
              <dd className="font-medium tabular-nums">{state.value}</dd>
            </div>
          ))}
          <div className="flex items-center justify-between gap-3 border-t pt-2">
            <dt className="text-muted-foreground">Receiving events</dt>
            <dd className="font-medium tabular-nums">{counts.eventsOn}</dd>
          </div>
        </dl>
      </CardContent>
    </Card>
  );
}
