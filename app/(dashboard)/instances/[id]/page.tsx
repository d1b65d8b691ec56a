import { ArrowLeft, Pencil } from "lucide-react";
import { Suspense } from "react";
import { ConnectedToast } from "@/components/connected-toast";
import { ReconnectButton } from "@/components/reconnect-button";
import type { Metadata } from "next";
import Link from "next/link";
import { ConnectorMonogram } from "@/components/connector-tile";
import { CopyButton } from "@/components/copy-button";
import { DeliveryStateBanner } from "@/components/delivery-state-banner";
import { ForwardEventsHint } from "@/components/forward-events-hint";
import { UnreachableWebhookWarning } from "@/components/unreachable-webhook-warning";
import { InstanceStatusBadge } from "@/components/instance-status-badge";
import { InstanceSubscription } from "@/components/instance-subscription";
import { PollingCard } from "@/components/polling-card";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { StackedBody, StackedCell, StackedHead, StackedRow, StackedRowHeader, StackedTable } from "@/components/ui/stacked-table";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/session";
import { deliveryState, laneStates } from "@/lib/delivery/lanes";
import { publicUrl } from "@/lib/env";
import { reachabilityOf } from "@/lib/net/public-address";
import { formatExactTime, formatRelativeTime } from "@/lib/format";
import { providerWebhookUrl } from "@/lib/instances/webhook-url";
import { pollingStatus } from "@/lib/polling/status";
import { BareUrlNote } from "./bare-url-note";
import { RotateWebhookUrl } from "./rotate-webhook-url";
import { DeleteInstance } from "./delete-instance";
import { EventsSwitch } from "./events-switch";
import { InstanceEventLog } from "./instance-event-log";
import { SignatureKeyCard } from "./signature-key-card";
import { configurationEntries, loadInstance } from "./load-instance";

const CALLBACK_URL = "event.notification.callback.url";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { instance } = await loadInstance(await requireUser(), (await params).id);
  return { title: instance.name };
}

export default async function InstancePage({ params }: Props) {
  const user = await requireUser();
  const { instance, connector } = await loadInstance(user, (await params).id);
  const webhookUrl = providerWebhookUrl(instance);
  const entries = configurationEntries(connector, instance);
  const manualSetup = connector.events.manualSetup ?? [];
  const configured = (instance.configuration as Record<string, unknown>)[CALLBACK_URL];
  const callbackUrl = typeof configured === "string" && configured.trim() !== "" ? configured : null;
  const [lanes, polling] = await Promise.all([laneStates([instance.id]), pollingStatus(instance)]);
  const delivery = deliveryState(lanes.get(instance.id), instance.deliveryDisabledAt);

  return (
    <>
      <Suspense>
        <ConnectedToast provider={connector.name} />
      </Suspense>
      <Link href="/instances" className="mb-4 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> Instances
      </Link>

      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="grid min-w-0 gap-2">
          <h1 className="text-2xl font-semibold tracking-tight break-words">{instance.name}</h1>
          <div className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
            <span className="flex items-center gap-2">
              <ConnectorMonogram connector={connector} size="sm" />
              <span className="font-medium text-foreground">{connector.name}</span>
              <code className="font-mono text-xs">{instance.elementKeySent}</code>
            </span>
            <span aria-hidden>·</span>
            <InstanceStatusBadge status={instance.status} />
            <span aria-hidden>·</span>
            <span>
              Created{" "}
              <time dateTime={instance.createdAt.toISOString()} title={formatExactTime(instance.createdAt)}>
                {formatRelativeTime(instance.createdAt)}
              </time>
            </span>
          </div>
          {instance.tags.length ? (
            <ul className="flex flex-wrap gap-1" aria-label="Tags">
              {instance.tags.map((tag) => (
                <li key={tag}>
                  <Badge variant="outline">{tag}</Badge>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Button asChild variant="outline">
            <Link href={`/instances/${instance.id}/edit`}>
              <Pencil aria-hidden /> Edit
            </Link>
          </Button>
          <DeleteInstance instanceId={instance.id} name={instance.name} />
        </div>
      </div>

      {instance.status !== "ACTIVE" && connector.auth.type === "oauth2" ? (
        <div className="mb-6 flex flex-wrap items-center justify-between gap-3 rounded-md border border-warning/40 bg-warning/10 px-4 py-3 text-sm">
          <p>
            {instance.status === "NEEDS_REAUTHORIZATION"
              ? `${connector.name} refused to renew this instance's access. Reconnect to grant it again.`
              : `This instance is saved but not yet authorized at ${connector.name}.`}
          </p>
          <ReconnectButton instanceId={instance.id} />
        </div>
      ) : null}

      <DeliveryStateBanner instanceId={instance.id} delivery={delivery} />

      <div className="grid gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Events</CardTitle>
            <CardDescription>
              {connector.name} posts its webhooks to this address; Hookline verifies them and forwards them to the
              Event Notification Callback URL while events are enabled.
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-6">
            <div className="flex flex-wrap items-center justify-between gap-4 rounded-md border bg-muted/30 px-4 py-3">
              <div>
                <p className="text-sm font-medium">Forward events</p>
                <ForwardEventsHint callbackUrl={callbackUrl} editHref={`/instances/${instance.id}/edit`} />
              </div>
              <EventsSwitch instanceId={instance.id} enabled={instance.eventsEnabled} />
            </div>
            <div className="grid gap-4">
              <div className="grid content-start gap-2">
                <label htmlFor="provider-webhook-url" className="text-sm font-medium">
                  Provider webhook URL
                </label>
                <div className="flex flex-wrap items-center gap-2">
                  <input
                    id="provider-webhook-url"
                    readOnly
                    value={webhookUrl}
                    className="h-9 min-w-48 flex-1 rounded-md border bg-muted px-3 font-mono text-sm"
                  />
                  <CopyButton text={webhookUrl} label="Copy webhook URL" />
                  <RotateWebhookUrl instanceId={instance.id} registered={instance.subscriptionStatus === "ACTIVE"} />
                </div>
                <p className="text-xs text-muted-foreground">
                  The path ends with the instance id ({instance.id}) in Base64, as Cloud Elements builds these URLs;{" "}
                  <code>?k=</code> is this instance&apos;s secret, so nobody can guess the URL. A webhook without it is refused.
                </p>
                <BareUrlNote instance={instance} connector={connector} />
                <UnreachableWebhookWarning publicUrl={publicUrl()} reachability={reachabilityOf(publicUrl())} />
              </div>
              {manualSetup.length ? (
                <div className="grid content-start gap-2 rounded-md border p-4">
                  <h3 className="text-sm font-semibold">Set up the webhook at {connector.name}</h3>
                  <ol className="grid list-decimal gap-1.5 pl-5 text-sm text-muted-foreground" aria-label={`${connector.name} webhook setup`}>
                    {manualSetup.map((step) => (
                      <li key={step}>{step}</li>
                    ))}
                  </ol>
                </div>
              ) : null}
            </div>
          </CardContent>
        </Card>

        {polling ? <PollingCard instanceId={instance.id} status={polling} /> : null}

        <InstanceSubscription instance={instance} connector={connector} />

        <SignatureKeyCard instance={instance} />

        <InstanceEventLog instance={instance} userId={user.id} />

        <Card>
          <CardHeader>
            <CardTitle>Configuration</CardTitle>
            <CardDescription>Secrets are stored encrypted and shown masked.</CardDescription>
          </CardHeader>
          <CardContent>
            {entries.length === 0 ? (
              <p className="text-sm text-muted-foreground">No configuration values are set.</p>
            ) : (
              <StackedTable caption="Configuration" className="rounded-md border">
                <StackedHead>
                  <th scope="col" className="px-4 py-2 text-left text-xs font-medium text-muted-foreground">Parameter</th>
                  <th scope="col" className="px-4 py-2 text-left text-xs font-medium text-muted-foreground">API name</th>
                  <th scope="col" className="px-4 py-2 text-left text-xs font-medium text-muted-foreground">Value</th>
                </StackedHead>
                <StackedBody>
                  {entries.map((entry) => (
                    <StackedRow key={entry.apiName}>
                      <StackedRowHeader className="px-4 py-2.5 text-left font-medium">{entry.label}</StackedRowHeader>
                      <StackedCell label="API name" className="px-4 py-2.5 font-mono text-xs text-muted-foreground max-sm:break-all">
                        {entry.apiName}
                      </StackedCell>
                      <StackedCell label="Value" className="px-4 py-2.5 font-mono text-xs break-all" data-secret={entry.secret || undefined}>
                        {entry.value === "" ? <span className="text-muted-foreground">—</span> : entry.value}
                      </StackedCell>
                    </StackedRow>
                  ))}
                </StackedBody>
              </StackedTable>
            )}
          </CardContent>
        </Card>
      </div>
    </>
  );
}
