import "server-only";
import { ResumeDeliveryButton } from "@/components/resume-delivery-button";
import type { DeliveryState } from "@/lib/delivery/lanes";
import { formatExactTime, formatRelativeTime } from "@/lib/format";

function When({ iso, prefix }: { iso: string; prefix: string }) {
  const date = new Date(iso);
  return (
    <>
      {prefix}{" "}
      <time dateTime={iso} title={formatExactTime(date)}>
        {formatRelativeTime(date)}
      </time>
    </>
  );
}

/**
 * Shown on the instance page while delivery to its callback URL is held back: the circuit breaker
 * paused the lane after consecutive failures (events keep their place; one probe at a time), or the
 * receiver answered 410 Gone. "Resume now" sends what waited at once.
 */
export function DeliveryStateBanner({ instanceId, delivery }: { instanceId: number; delivery: DeliveryState }) {
  if (delivery.state === "ACTIVE") return null;
  const paused = delivery.state === "PAUSED";
  return (
    <div
      role="status"
      aria-label="Delivery state"
      className="mb-6 flex flex-wrap items-center justify-between gap-3 rounded-md border border-warning/40 bg-warning/10 px-4 py-3 text-sm"
    >
      <div className="grid min-w-0 gap-1">
        <p className="font-medium">{paused ? "Delivery paused: the callback URL keeps failing" : "Delivery disabled: the callback URL answered 410 Gone"}</p>
        <p className="break-words text-muted-foreground">
          {delivery.reason ? <>Last failure: {delivery.reason}. </> : null}
          {delivery.since ? <When iso={delivery.since} prefix="Since" /> : null}
          {paused ? ". New events wait in order; Hookline tries one again " : ". New events are kept and not sent"}
          {paused && delivery.nextProbe ? <When iso={delivery.nextProbe} prefix="" /> : null}
          {paused ? " and resumes on the first success." : "."}
        </p>
      </div>
      <ResumeDeliveryButton instanceId={instanceId} />
    </div>
  );
}
