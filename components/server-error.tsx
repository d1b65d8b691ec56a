"use client";

import { ServerCrash } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { StatusPage } from "@/components/status-page";
import { Button } from "@/components/ui/button";

/**
 * What a 500 shows (app/error.tsx, app/global-error.tsx): that it failed, the reference to find it in
 * the server log, and the ways on. "Try again" asks the server for the page again (a reset alone would
 * only re-render what failed); the way back is a whole page load, since the router's state for this
 * page is the failed one.
 */
export function ServerError({ digest, onRetry }: { digest?: string; onRetry: () => void }) {
  const router = useRouter();
  const [retrying, startRetry] = useTransition();
  const retry = () =>
    startRetry(() => {
      router.refresh();
      onRetry();
    });
  return (
    <StatusPage
      icon={ServerCrash}
      code="500"
      title="Something went wrong on the server"
      actions={
        <>
          <Button onClick={retry} disabled={retrying}>
            Try again
          </Button>
          <Button asChild variant="outline">
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- a whole page load, see above */}
            <a href="/">Back to the Overview</a>
          </Button>
        </>
      }
    >
      <p>Hookline could not finish this page. Try again in a moment; if it keeps failing, the server log has the details.</p>
      {digest ? (
        <p className="mt-2 text-xs">
          Reference for the server log: <code className="font-mono" data-testid="error-digest">{digest}</code>
        </p>
      ) : null}
    </StatusPage>
  );
}
