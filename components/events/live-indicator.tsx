import { cn } from "@/lib/utils";

export type LiveState = "connecting" | "live" | "reconnecting" | "paused" | "offline";

const states: Record<LiveState, { label: string; dot: string }> = {
  connecting: { label: "Connecting…", dot: "bg-muted-foreground/50" },
  live: { label: "Live", dot: "bg-success animate-pulse" },
  reconnecting: { label: "Reconnecting…", dot: "bg-warning" },
  paused: { label: "Paused", dot: "bg-muted-foreground" },
  offline: { label: "Signed out: reload to sign in again", dot: "bg-destructive" },
};

/** The stream's state, announced politely to screen readers as it changes. */
export function LiveIndicator({ state }: { state: LiveState }) {
  const { label, dot } = states[state];
  return (
    <span role="status" aria-live="polite" className="inline-flex items-center gap-2 text-sm font-medium" data-state={state}>
      <span aria-hidden className={cn("size-2 rounded-full", dot)} />
      {label}
    </span>
  );
}
