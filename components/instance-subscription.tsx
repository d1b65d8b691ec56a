import "server-only";
import { SubscriptionRetryButton } from "@/components/subscription-retry-button";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { Connector } from "@/lib/connectors/types";
import { formatExactTime, formatRelativeTime } from "@/lib/format";
import type { Instance } from "@/lib/generated/prisma/client";
import { listSubscriptions, pendingAuthorizationNote } from "@/lib/instances/subscriptions";

type View = {
  badge: { label: string; variant: "success" | "warning" | "destructive" | "secondary" };
  text: string;
  /** The retry button's label, when one helps. */
  action?: string;
};

function viewOf(instance: Instance, connector: Connector, count: number): View {
  const name = connector.name;
  const handler = connector.events.subscription;
  const manual = !handler && (connector.events.manualSetup?.length ?? 0) > 0;
  if (instance.subscriptionStatus === "FAILED") {
    return {
      badge: { label: "Failed", variant: "destructive" },
      text: `Failed: ${instance.subscriptionError ?? `${name} did not accept the registration.`}`,
      action: "Retry registration",
    };
  }
  if (instance.subscriptionStatus === "MANUAL" || (manual && instance.eventsEnabled)) {
    return {
      badge: { label: "Manual setup", variant: "secondary" },
      text: `${name} has no API for registering webhooks: paste this instance's provider webhook URL into ${name} by hand, as the steps under Events describe.`,
    };
  }
  if (!instance.eventsEnabled) {
    return { badge: { label: "Not registered", variant: "secondary" }, text: "Not registered: events are off." };
  }
  if (!handler) return { badge: { label: "Not registered", variant: "secondary" }, text: `${name} webhooks are not registered by Hookline.` };
  if (instance.subscriptionStatus === "ACTIVE") {
    if (count === 0) {
      return {
        badge: { label: "Registered", variant: "success" },
        text: `${name} has nothing to register a webhook on yet (no ${handler.scopeName.other}).`,
        action: "Check again",
      };
    }
    const noun = count === 1 ? handler.scopeName.one : handler.scopeName.other;
    return { badge: { label: "Registered", variant: "success" }, text: `Registered at ${name} for ${count} ${noun}.` };
  }
  if (connector.auth.type === "oauth2" && instance.status !== "ACTIVE") {
    return { badge: { label: "Not registered", variant: "warning" }, text: `Not registered yet. ${pendingAuthorizationNote(name)}` };
  }
  return { badge: { label: "Not registered", variant: "warning" }, text: `Not registered at ${name} yet.`, action: "Register now" };
}

/**
 * Whether the provider knows where to send this instance's webhooks: registered (for which lists or
 * callback types), failed (with the provider's answer and a retry), manual (Hootsuite) or not needed.
 */
export async function InstanceSubscription({ instance, connector }: { instance: Instance; connector: Connector }) {
  const subscriptions = connector.events.subscription ? await listSubscriptions(instance.id) : [];
  const view = viewOf(instance, connector, subscriptions.length);
  const checkedAt = instance.subscriptionCheckedAt;

  return (
    <Card role="region" aria-labelledby="webhook-registration-title">
      <CardHeader>
        <CardTitle id="webhook-registration-title">Webhook registration</CardTitle>
        <CardDescription>
          {connector.events.subscription
            ? `Hookline registers the provider webhook URL at ${connector.name} while events are on, and removes it when they go off or the instance is deleted.`
            : `${connector.name} has no API for registering webhooks, so its webhook URL is set by hand.`}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div className="grid min-w-0 gap-1.5">
            <Badge variant={view.badge.variant} className="w-fit">
              {view.badge.label}
            </Badge>
            <p className="text-sm break-words">{view.text}</p>
          </div>
          {view.action ? <SubscriptionRetryButton instanceId={instance.id} label={view.action} providerName={connector.name} /> : null}
        </div>
        {subscriptions.length ? (
          <ul className="flex flex-wrap gap-1" aria-label={`Registered ${connector.events.subscription?.scopeName.other ?? "webhooks"}`}>
            {subscriptions.map((subscription) => (
              <li key={subscription.id}>
                <Badge variant="outline" className="font-mono" title={`${connector.name} id ${subscription.providerId}`}>
                  {subscription.scope}
                </Badge>
              </li>
            ))}
          </ul>
        ) : null}
        {checkedAt ? (
          <p className="text-xs text-muted-foreground">
            Last checked{" "}
            <time dateTime={checkedAt.toISOString()} title={formatExactTime(checkedAt)}>
              {formatRelativeTime(checkedAt)}
            </time>
          </p>
        ) : null}
      </CardContent>
    </Card>
  );
}
