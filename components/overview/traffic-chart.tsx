import type { HourBucket } from "@/lib/overview/schema";

const WIDTH = 480;
const HEIGHT = 80;
const GAP = 3;

function clock(iso: string): string {
  return new Date(iso).toISOString().slice(11, 16);
}

/**
 * Events and delivery attempts per hour as a server-rendered SVG: for each hour an events bar and,
 * beside it, the attempts stacked as accepted (green) and failed (red). No script, no library.
 */
export function TrafficChart({ hours }: { hours: HourBucket[] }) {
  const peak = Math.max(1, ...hours.map((hour) => Math.max(hour.events, hour.attempts)));
  const slot = WIDTH / hours.length;
  const bar = (slot - GAP) / 2;
  const scale = (count: number) => (count / peak) * (HEIGHT - 2);
  const events = hours.reduce((sum, hour) => sum + hour.events, 0);
  const attempts = hours.reduce((sum, hour) => sum + hour.attempts, 0);
  const label = `Per hour over the last 24 hours: ${events} events received, ${attempts} delivery attempts.`;
  return (
    <figure className="grid min-w-0 gap-2">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" className="h-20 w-full" role="img" aria-label={label} data-testid="traffic-chart">
        <line x1="0" x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} className="stroke-border" strokeWidth="1" />
        {hours.map((hour, index) => {
          const x = index * slot;
          const received = scale(hour.events);
          const succeeded = scale(hour.succeeded);
          const failed = scale(hour.attempts - hour.succeeded);
          return (
            <g key={hour.start}>
              <title>{`${clock(hour.start)} UTC: ${hour.events} events, ${hour.attempts} attempts, ${hour.attempts - hour.succeeded} failed`}</title>
              <rect x={x} y={0} width={slot} height={HEIGHT} className="fill-transparent" />
              <rect x={x} y={HEIGHT - received} width={bar} height={received} className="fill-primary/60" />
              <rect x={x + bar} y={HEIGHT - succeeded} width={bar} height={succeeded} className="fill-success" />
              <rect x={x + bar} y={HEIGHT - succeeded - failed} width={bar} height={failed} className="fill-destructive" />
            </g>
          );
        })}
      </svg>
      <figcaption className="flex flex-wrap items-center justify-between gap-2 text-[11px] text-muted-foreground">
        <span>{clock(hours[0]!.start)} UTC</span>
        <span className="flex gap-3">
          <span className="flex items-center gap-1"><span className="size-2 rounded-sm bg-primary/60" aria-hidden /> events</span>
          <span className="flex items-center gap-1"><span className="size-2 rounded-sm bg-success" aria-hidden /> delivered</span>
          <span className="flex items-center gap-1"><span className="size-2 rounded-sm bg-destructive" aria-hidden /> failed</span>
        </span>
        <span>now</span>
      </figcaption>
    </figure>
  );
}
