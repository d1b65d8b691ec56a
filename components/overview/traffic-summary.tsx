import { TrafficChart } from "@/components/overview/traffic-chart";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { Traffic } from "@/lib/overview/schema";

function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)}%`;
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

/** Events and deliveries in the last 24 hours: totals, success rate, p95 latency and the hourly chart. */
export function TrafficSummary({ traffic }: { traffic: Traffic | null }) {
  return (
    <Card className="lg:col-span-2" data-testid="overview-traffic">
      <CardHeader>
        <CardTitle className="text-base">Last 24 hours</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4">
        {traffic ? (
          <>
            <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
              <Figure label="Events received" value={traffic.events.toLocaleString("en")} testId="figure-events" />
              <Figure label="Delivery attempts" value={traffic.attempts.toLocaleString("en")} testId="figure-attempts" />
              <Figure label="Delivery success" value={traffic.successRate === null ? "—" : percent(traffic.successRate)} testId="figure-success" />
              <Figure label="p95 latency" value={traffic.p95LatencyMs === null ? "—" : `${traffic.p95LatencyMs} ms`} testId="figure-p95" />
            </dl>
            <TrafficChart hours={traffic.hours} />
          </>
        ) : (
          <p className="text-sm text-muted-foreground">These figures could not be read in time; reload the page in a moment.</p>
        )}
      </CardContent>
    </Card>
  );
}
