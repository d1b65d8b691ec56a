import { connectors } from "@/lib/connectors";
import { probeReachable } from "@/lib/net/reachability";
import { isOAuthConnector, oauthUrls } from "@/lib/oauth/config";

/** The connector whose consent page `url` is (for the name of its override variable). */
function connectorKeyOf(url: URL): string | undefined {
  return connectors.filter(isOAuthConnector).find((connector) => {
    const authorize = new URL(oauthUrls(connector).authorize);
    return authorize.origin === url.origin && authorize.pathname === url.pathname;
  })?.key;
}

/**
 * Where to send the browser for a provider's consent: the consent URL when its host resolves and
 * accepts connections, else Hookline's own page (`/oauth/unreachable`) naming the host, the reason and
 * the `HOOKLINE_<KEY>_AUTHORIZE_URL` override, never the browser's DNS error page.
 */
export async function reachableRedirect(redirectUrl: string, formUrl?: string): Promise<string> {
  const url = new URL(redirectUrl);
  const probe = await probeReachable(url);
  if (probe.ok) return redirectUrl;
  const key = connectorKeyOf(url);
  const query = new URLSearchParams({ host: url.host, reason: probe.reason });
  if (key) query.set("connector", key);
  if (formUrl) query.set("back", formUrl);
  return `/oauth/unreachable?${query}`;
}
