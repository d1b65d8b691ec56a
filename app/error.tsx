"use client";

import { ServerError } from "@/components/server-error";

/** A page that failed to render, inside the root layout (theme and styles kept). */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ServerError digest={error.digest} onRetry={reset} />;
}
