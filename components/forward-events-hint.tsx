import Link from "next/link";

/**
 * Under the "Forward events" switch: where events go when a callback URL is set, else what the switch
 * needs first and where to give it.
 */
export function ForwardEventsHint({ callbackUrl, editHref }: { callbackUrl: string | null; editHref: string }) {
  if (callbackUrl) {
    return (
      <p className="text-xs break-all text-muted-foreground" data-testid="forward-events-hint">
        To <span className="font-mono">{callbackUrl}</span>
      </p>
    );
  }
  return (
    <p className="text-xs text-muted-foreground" data-testid="forward-events-hint">
      Needs an Event Notification Callback URL:{" "}
      <Link href={editHref} className="font-medium text-primary underline-offset-4 hover:underline">
        set one
      </Link>
      .
    </p>
  );
}
