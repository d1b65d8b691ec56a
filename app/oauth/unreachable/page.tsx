import { WifiOff } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { StatusPage } from "@/components/status-page";
import { Button } from "@/components/ui/button";
import { getConnector } from "@/lib/connectors";
import { UNREACHABLE_REASONS } from "@/lib/net/reachability";

export const metadata: Metadata = { title: "Provider unreachable" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** What the consent step passes (lib/oauth/reachable-redirect.ts); anything else shows a generic page. */
const query = z.object({
  host: z.string().max(300).regex(/^[A-Za-z0-9.:[\]-]+$/),
  reason: z.enum(["dns", "refused", "timeout", "error"]),
  connector: z.string().max(60).optional(),
  back: z.string().max(300).regex(/^\/connectors\/[a-z0-9]+\/new\?from=[A-Za-z0-9-]+$/).optional(),
});

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

// GET /oauth/unreachable?host=…&reason=…[&connector=…][&back=…] – instead of the browser's DNS error page
export default async function ProviderUnreachablePage({ searchParams }: Props) {
  const raw = await searchParams;
  const parsed = query.safeParse(Object.fromEntries(["host", "reason", "connector", "back"].map((name) => [name, first(raw[name])])));
  const info = parsed.success ? parsed.data : null;
  const connector = info?.connector ? getConnector(info.connector) : undefined;
  const variable = connector ? `HOOKLINE_${connector.key.toUpperCase()}_AUTHORIZE_URL` : "HOOKLINE_<KEY>_AUTHORIZE_URL";
  const back = info?.back ?? (connector ? `/connectors/${connector.key}/new` : "/connectors");
  return (
    <StatusPage
      icon={WifiOff}
      code={info ? `unreachable: ${info.reason}` : "unreachable"}
      title={connector ? `${connector.name} cannot be reached` : "The provider cannot be reached"}
      actions={
        <Button asChild>
          <Link href={back}>Back to the form</Link>
        </Button>
      }
    >
      <div className="grid gap-4">
        <p role="alert" className="rounded-md bg-destructive/10 px-3 py-2 text-destructive">
          {info ? (
            <>
              Hookline could not reach <code className="font-mono">{info.host}</code>: {UNREACHABLE_REASONS[info.reason]}. Your
              browser would have shown an error page there, so you are here instead.
            </>
          ) : (
            "Hookline could not reach the provider's consent page."
          )}
        </p>
        <div className="grid gap-1">
          <h2 className="font-medium text-foreground">What to do</h2>
          <p>
            Check this server&apos;s network and DNS (a proxy, a firewall, no internet). If the provider lives at another address (a
            sandbox, a regional host, a test server), set <code className="font-mono">{variable}</code> to its consent URL and
            restart Hookline. Your entries were kept: the form has them.
          </p>
        </div>
      </div>
    </StatusPage>
  );
}
