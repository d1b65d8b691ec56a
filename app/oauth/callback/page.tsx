import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { loginUrlFor } from "@/lib/auth/callback-url";
import { currentUser } from "@/lib/auth/session";
import { completeAuthorization, type CallbackParams } from "@/lib/oauth/callback";
import { FailureCard } from "./failure-card";

export const metadata: Metadata = { title: "Authorization" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const PARAMS = ["code", "state", "error", "error_description"] as const;

function callbackParams(raw: Record<string, string | string[] | undefined>): CallbackParams {
  const pick = (name: string) => {
    const value = raw[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return Object.fromEntries(PARAMS.map((name) => [name, pick(name)]).filter(([, value]) => value !== undefined));
}

// GET /oauth/callback?code=…&state=… (or ?error=…&state=…) – where providers send the browser back
export default async function OAuthCallbackPage({ searchParams }: Props) {
  const params = callbackParams(await searchParams);
  // A session that lapsed during consent: sign in, then come back here with the same code and state.
  const user = await currentUser();
  if (!user) {
    const query = new URLSearchParams(params as Record<string, string>).toString();
    redirect(loginUrlFor(`/oauth/callback?${query}`));
  }
  const result = await completeAuthorization({ id: user.id, organizationId: user.organizationId }, params);
  if (result.ok) redirect(`/instances/${result.instanceId}?connected=1`);
  return <FailureCard failure={result} />;
}
