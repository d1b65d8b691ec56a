import { ArrowLeft, Info } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConnectorMonogram } from "@/components/connector-tile";
import { CopyButton } from "@/components/copy-button";
import { InstanceForm } from "@/components/instance-form";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/session";
import { getConnector } from "@/lib/connectors";
import { publicUrl } from "@/lib/env";
import { instanceFormDefaults } from "@/lib/forms/instance-form";
import { connectorSpec } from "@/lib/forms/instance-form.server";
import { resumeAuthorizationAction, startAuthorizationAction } from "@/app/oauth/actions";
import { KeptEntriesNote } from "@/components/kept-entries-note";
import { keptFormEntries } from "@/lib/oauth/kept-draft";
import { createInstanceAction } from "./actions";

type Props = { params: Promise<{ key: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const connector = getConnector((await params).key);
  return { title: connector ? `New ${connector.name} instance` : "Connector not found" };
}

export default async function NewInstancePage({ params, searchParams }: Props) {
  const user = await requireUser();
  const connector = getConnector((await params).key);
  if (!connector) notFound();

  const oauth = connector.auth.type === "oauth2";
  const oauthCallbackUrl = `${publicUrl()}/oauth/callback`;
  const spec = connectorSpec(connector);
  // Back from a failed or abandoned authorization: its kept entries (secrets stay on the server).
  const kept = oauth ? await keptFormEntries({ id: user.id, organizationId: user.organizationId }, connector.key, (await searchParams).from) : null;
  // An OAuth connector's Callback URL is this Hookline's own callback: prefilled, still editable.
  const defaults = instanceFormDefaults(
    spec,
    kept
      ? { name: kept.name, tags: kept.tags, configuration: kept.configuration }
      : {
          configuration: oauth && spec.parameters.some((row) => row.apiName === "oauth.callback.url")
            ? { "oauth.callback.url": oauthCallbackUrl }
            : {},
        },
  );
  const oauthAction = kept
    ? resumeAuthorizationAction.bind(null, connector.key, kept.authorizationId)
    : startAuthorizationAction.bind(null, connector.key);

  return (
    <>
      <Link href="/connectors" className="mb-4 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> Connectors
      </Link>
      <PageHeader
        title={`New ${connector.name} instance`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <ConnectorMonogram connector={connector} size="sm" />
            <span>{connector.description}</span>
            <Badge variant="secondary">{oauth ? "OAuth 2.0" : "Credentials"}</Badge>
          </span>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
        <Card>
          <CardContent className="pt-5">
            {kept ? <KeptEntriesNote spec={spec} keptSecrets={kept.keptSecrets} /> : null}
            <InstanceForm
              spec={spec}
              // Restored entries: a secret left blank is the kept one, as on the edit form.
              mode={kept ? "update" : "create"}
              defaultValues={defaults}
              action={oauth ? oauthAction : createInstanceAction.bind(null, connector.key)}
              submitLabel={oauth ? `Connect to ${connector.name}` : "Create instance"}
              pendingLabel={oauth ? "Redirecting…" : "Creating…"}
              successMessage={`${connector.name} instance created`}
              cancelHref="/connectors"
              note={
                oauth ? (
                  <p className="flex gap-2 rounded-md border border-dashed px-3 py-2 text-sm text-muted-foreground">
                    <Info className="mt-0.5 size-4 shrink-0" aria-hidden />
                    <span>
                      Next, {connector.name} asks you to grant access; the instance is created when you come back. If
                      the Callback URL points at another app, paste the code it receives into the API instead.
                    </span>
                  </p>
                ) : null
              }
            />
          </CardContent>
        </Card>
        <aside className="grid content-start gap-4">
          {oauth ? (
            <Card>
              <CardContent className="grid gap-2 pt-5 text-sm">
                <h2 className="font-semibold">Register this callback URL</h2>
                <p className="text-muted-foreground">
                  In your {connector.name} app settings, add this address as the OAuth redirect (callback) URL.
                </p>
                <code className="break-all rounded bg-muted px-2 py-1 font-mono text-xs" data-testid="oauth-callback-url">
                  {oauthCallbackUrl}
                </code>
                <div>
                  <CopyButton text={oauthCallbackUrl} label="Copy callback URL" />
                </div>
              </CardContent>
            </Card>
          ) : null}
          <Card>
            <CardContent className="grid gap-2 pt-5 text-sm text-muted-foreground">
              <h2 className="font-semibold text-foreground">Events</h2>
              <p>
                Turn on <span className="font-medium text-foreground">Events Enabled</span> to have Hookline forward{" "}
                {connector.name}&apos;s webhooks to your Event Notification Callback URL. The instance page shows the
                provider webhook URL that {connector.name} posts to.
              </p>
            </CardContent>
          </Card>
        </aside>
      </div>
    </>
  );
}
