import type { AuthorizationFailure } from "@/lib/oauth/flow";

export type FailureCopy = { title: string; happened: string; todo: string };

/**
 * What the callback page says for each failure: what happened and what to do, in plain words. Built
 * only from our own text, the provider's name and a checked error code; never from the provider's
 * `error_description` or token endpoint body, which may echo secrets or carry injected text.
 */
export function failureCopy(failure: AuthorizationFailure): FailureCopy {
  const provider = failure.providerName ?? "the provider";
  const title = failure.providerName ? `Could not connect to ${failure.providerName}` : "Could not finish the authorization";
  const again = failure.retryId
    ? "Choose Try again to go back to the provider; your form entries were kept."
    : "Start again from the connector's form.";

  switch (failure.reason) {
    case "missing_state":
    case "unknown_state":
      return {
        title,
        happened: "This link does not belong to an authorization Hookline started, so it was not used.",
        todo: "Start the connection from the connector's form in Hookline rather than from a saved or shared link.",
      };
    case "foreign_state":
      return {
        title,
        happened: "This authorization was started by someone else, so it cannot be completed from your account.",
        todo: "Ask the person who started it to finish it while signed in as themselves, or start your own from the connector's form.",
      };
    case "already_used":
      return {
        title: failure.instanceId && !failure.retryId ? "This authorization was already completed" : title,
        happened: "This callback link was already used; each authorization can be completed only once, so nothing new was created.",
        todo: failure.instanceId && !failure.retryId ? "Open the instance it created." : again,
      };
    case "expired":
      return {
        title,
        happened: `More than 10 minutes passed between starting the connection and coming back from ${provider}, so the authorization expired.`,
        todo: again,
      };
    case "access_denied":
      return {
        title,
        happened: `Access was not granted at ${provider} (the consent page was declined or cancelled).`,
        todo: failure.retryId
          ? `Choose Try again and allow access at ${provider}; your form entries were kept.`
          : "Start again from the connector's form and allow access.",
      };
    case "provider_error":
      return {
        title,
        happened: `${provider} did not grant access and reported an error${failure.providerError ? ` (${failure.providerError})` : ""}.`,
        todo: `Check the app's settings at ${provider} (Client ID, allowed Callback URL, scopes), then try again.`,
      };
    case "missing_code":
      return { title, happened: `${provider} came back without an authorization code.`, todo: again };
    case "token_rejected":
      return {
        title,
        happened: failure.detail ?? `${provider} refused to exchange the authorization code for tokens.`,
        todo: `Check the Client ID, Client Secret and Callback URL against the app registered at ${provider}. ${again}`,
      };
    case "token_unavailable":
    case "token_timeout":
      return {
        title,
        happened: failure.detail ?? `${provider} could not be reached to exchange the authorization code.`,
        todo: `This is usually temporary. Wait a moment; then ${failure.retryId ? "choose Try again (your form entries were kept)" : "start again from the connector's form"}.`,
      };
    case "invalid_draft":
      return {
        title,
        happened: "The saved form entries are no longer valid, so no instance was created.",
        todo: "Start again from the connector's form.",
      };
    case "instance_gone":
      return {
        title,
        happened: "The instance being reconnected was deleted in the meantime.",
        todo: "Create a new instance from the connector's form.",
      };
  }
}
