"use client";

import { ServerError } from "@/components/server-error";
import "./globals.css";

/** The root layout itself failed: this replaces it, so it brings its own html, body and styles. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">
        <ServerError digest={error.digest} onRetry={reset} />
      </body>
    </html>
  );
}
