import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { encrypt } from "@/lib/crypto/secrets";
import { withoutInstanceSecrets } from "@/lib/instances/secrets";

beforeAll(() => {
  process.env.HOOKLINE_ENCRYPTION_KEY = randomBytes(32).toString("base64");
});

describe("withoutInstanceSecrets", () => {
  const instance = () => ({
    secretsEncrypted: encrypt(JSON.stringify({ "oauth.api.secret": "client-secret-123456", password: "hunter2-hunter2" })),
    accessTokenEncrypted: encrypt("access-token-abcdef"),
    refreshTokenEncrypted: encrypt("refresh-token-ghijkl"),
  });

  it("hides the secret parameters and both OAuth tokens a provider echoes back", () => {
    const message = "401: bad Authorization 'Bearer access-token-abcdef' (refresh-token-ghijkl, client-secret-123456, hunter2-hunter2)";
    const hidden = withoutInstanceSecrets(message, instance());
    for (const secret of ["access-token-abcdef", "refresh-token-ghijkl", "client-secret-123456", "hunter2-hunter2"]) expect(hidden).not.toContain(secret);
    expect(hidden).toContain("401: bad Authorization");
  });

  it("leaves a message alone when the instance has no credentials", () => {
    expect(withoutInstanceSecrets("503 Service Unavailable", { secretsEncrypted: null, accessTokenEncrypted: null, refreshTokenEncrypted: null })).toBe("503 Service Unavailable");
  });
});
