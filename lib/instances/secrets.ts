import type { Configuration } from "@/lib/connectors/schema";
import type { Connector } from "@/lib/connectors/types";
import { decrypt, encrypt, hideSecrets, maskSecret } from "@/lib/crypto/secrets";

/** Keys the catalog does not know but whose names say they hold a secret are protected too. */
const SECRET_LOOKING = /secret|password|passwd|private|token|signature/i;

export function isSecretKey(connector: Pick<Connector, "parameters">, apiName: string): boolean {
  const row = connector.parameters.find((r) => r.apiName === apiName);
  return row ? row.type === "secret" : SECRET_LOOKING.test(apiName);
}

/** Splits a validated configuration into what is stored as JSON and what is encrypted. */
export function splitSecrets(connector: Pick<Connector, "parameters">, configuration: Configuration) {
  const plain: Configuration = {};
  const secret: Record<string, string> = {};
  for (const [key, value] of Object.entries(configuration)) {
    if (value === undefined) continue;
    if (isSecretKey(connector, key) && typeof value === "string") secret[key] = value;
    else plain[key] = value;
  }
  return {
    plain,
    secretsEncrypted: Object.keys(secret).length ? encrypt(JSON.stringify(secret)) : null,
  };
}

export function decryptSecrets(secretsEncrypted: string | null): Record<string, string> {
  return secretsEncrypted ? (JSON.parse(decrypt(secretsEncrypted)) as Record<string, string>) : {};
}

/** The configuration as it may leave the server: every secret replaced by its mask. */
export function maskedConfiguration(plain: Configuration, secretsEncrypted: string | null): Configuration {
  const masked: Configuration = { ...plain };
  for (const [key, value] of Object.entries(decryptSecrets(secretsEncrypted))) masked[key] = maskSecret(value);
  return masked;
}

type SecretHolder = { secretsEncrypted: string | null; accessTokenEncrypted: string | null; refreshTokenEncrypted: string | null };

/**
 * A provider's message with every credential of the instance (its secret parameters, OAuth access and
 * refresh tokens) hidden: such messages are shown on the page, in the API and logged, and a provider may
 * echo what it was sent.
 */
export function withoutInstanceSecrets(message: string, instance: SecretHolder): string {
  const secrets = Object.values(decryptSecrets(instance.secretsEncrypted)).filter((v): v is string => typeof v === "string");
  for (const token of [instance.accessTokenEncrypted, instance.refreshTokenEncrypted]) if (token) secrets.push(decrypt(token));
  return hideSecrets(message, secrets);
}
