import { describe, expect, it } from "vitest";
import type { AuthorizationFailure, AuthorizationFailureReason } from "@/lib/oauth/flow";
import { failureCopy } from "@/lib/oauth/messages";

const reasons: AuthorizationFailureReason[] = [
  "missing_state",
  "unknown_state",
  "foreign_state",
  "already_used",
  "expired",
  "access_denied",
  "provider_error",
  "missing_code",
  "token_rejected",
  "token_unavailable",
  "token_timeout",
  "invalid_draft",
  "instance_gone",
];

describe("failureCopy", () => {
  it.each(reasons)("says what happened and what to do for %s", (reason) => {
    const copy = failureCopy({ ok: false, reason, providerName: "Hootsuite", elementKey: "hootsuite" });
    expect(copy.title).toBe("Could not connect to Hootsuite");
    expect(copy.happened.length).toBeGreaterThan(20);
    expect(copy.todo.length).toBeGreaterThan(10);
    expect(`${copy.happened} ${copy.todo}`).not.toMatch(/undefined|null/);
  });

  it("points at Try again only when the draft was kept", () => {
    const failure: AuthorizationFailure = { ok: false, reason: "expired", providerName: "Hootsuite" };
    expect(failureCopy(failure).todo).not.toContain("Try again");
    expect(failureCopy({ ...failure, retryId: "id" }).todo).toContain("Try again");
  });

  it("names a completed authorization as such on replay", () => {
    const copy = failureCopy({ ok: false, reason: "already_used", providerName: "Hootsuite", instanceId: 7 });
    expect(copy.title).toBe("This authorization was already completed");
    expect(copy.todo).toBe("Open the instance it created.");
  });

  it("shows the provider's error code, never free text", () => {
    const copy = failureCopy({ ok: false, reason: "provider_error", providerName: "Hootsuite", providerError: "invalid_scope" });
    expect(copy.happened).toContain("(invalid_scope)");
  });
});
