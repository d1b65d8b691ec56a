import { AlertTriangle } from "lucide-react";
import Link from "next/link";
import { OAuthRedirectButton } from "@/components/oauth-redirect-button";
import { Logo } from "@/components/logo";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import type { AuthorizationFailure } from "@/lib/oauth/flow";
import { failureCopy } from "@/lib/oauth/messages";
import { retryAuthorizationAction } from "../actions";

/** Where "back" goes: the instance being reconnected or created, else the connector's form, else the catalog. */
function backLink(failure: AuthorizationFailure): { href: string; label: string } {
  if (failure.instanceId) return { href: `/instances/${failure.instanceId}`, label: "Open the instance" };
  // With the entries this authorization kept (the page says so), when it kept any.
  if (failure.elementKey && failure.retryId) return { href: `/connectors/${failure.elementKey}/new?from=${failure.retryId}`, label: "Back to the form" };
  if (failure.elementKey) return { href: `/connectors/${failure.elementKey}/new`, label: "Back to the form" };
  return { href: "/connectors", label: "Connectors" };
}

/** The callback's error page: what happened, what to do, and the ways on. Shows no provider text. */
export function FailureCard({ failure }: { failure: AuthorizationFailure }) {
  const copy = failureCopy(failure);
  const back = backLink(failure);
  const { retryId } = failure;
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-lg">
        <div className="mb-6 flex justify-center">
          <Logo />
        </div>
        <Card>
          <CardHeader>
            <h1 className="flex items-center gap-2 text-lg font-semibold leading-tight tracking-tight">
              <AlertTriangle className="size-5 shrink-0 text-destructive" aria-hidden />
              {copy.title}
            </h1>
          </CardHeader>
          <CardContent className="grid gap-4 text-sm">
            <p role="alert" className="rounded-md bg-destructive/10 px-3 py-2 text-destructive">
              {copy.happened}
            </p>
            <div className="grid gap-1">
              <h2 className="font-medium">What to do</h2>
              <p className="text-muted-foreground">{copy.todo}</p>
            </div>
            <p className="text-xs text-muted-foreground">Nothing was created. Reason code: <code className="font-mono">{failure.reason}</code></p>
            <div className="flex flex-wrap gap-2">
              {retryId ? (
                <OAuthRedirectButton action={retryAuthorizationAction.bind(null, retryId)}>Try again</OAuthRedirectButton>
              ) : null}
              <Button asChild variant={retryId ? "outline" : "default"}>
                <Link href={back.href}>{back.label}</Link>
              </Button>
              {failure.instanceId && failure.elementKey ? (
                <Button asChild variant="ghost">
                  <Link href={`/connectors/${failure.elementKey}/new`}>New instance</Link>
                </Button>
              ) : null}
            </div>
          </CardContent>
        </Card>
      </div>
    </main>
  );
}
