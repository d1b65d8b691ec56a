import { apiOf, messageOf, PROVIDER } from "@/lib/connectors/subscriptions/connectwisecrmrest";
import { callProvider, describeAnswer, isSuccess } from "@/lib/connectors/subscriptions/shared";
import type { CredentialsCheck } from "@/lib/connectors/contract";

/**
 * ConnectWise's credentials check: one `GET /system/callbacks?pageSize=1` with the instance's Basic
 * credentials, the listing webhook registration starts with, so a member ConnectWise refuses (wrong
 * password, company or user, or no right to callbacks) is refused when saved rather than when events
 * are switched on. Same SSRF-guarded client and 10 s deadline as registration (`callProvider`).
 */
export const checkConnectWiseCredentials: CredentialsCheck = async (configuration) => {
  const api = apiOf({ configuration });
  if ("error" in api) return { ok: false, refused: true, reason: api.error };
  const answer = await callProvider(PROVIDER, { method: "GET", url: `${api.base}/system/callbacks?pageSize=1`, headers: api.headers });
  if (!answer.ok) return { ok: false, refused: false, reason: `${answer.reason} Check the Server URL, or try again later.` };
  const { status } = answer.response;
  if (isSuccess(answer.response)) return { ok: true };
  const said = describeAnswer(PROVIDER, answer.response, messageOf(answer.response.body), "checking the credentials");
  const hint = status === 401 || status === 403 ? " Check the Company, User Name and Password." : status === 404 ? " Check the Server URL." : "";
  return { ok: false, refused: status < 500, reason: `${said}${hint}` };
};
