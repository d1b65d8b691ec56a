import { decrypt } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";
import { createFirstAdmin } from "@/lib/users/accounts";
import { encrypt, generateSecret, hashSecret } from "@/lib/crypto/secrets";
import { hashPassword } from "@/lib/auth/password";

export type Tenant = { organizationId: string; userId: string; header: string };

/** An organization with one user, and the Authorization header for its API secrets. */
export async function createTenant(name: string): Promise<Tenant> {
  const email = `${name.toLowerCase().replace(/\W+/g, "-")}-${Date.now()}-${Math.random().toString(36).slice(2)}@test.local`;
  const hasUsers = (await db().user.count()) > 0;
  const user = hasUsers
    ? await createUserInNewOrganization(name, email)
    : await createFirstAdmin({ organizationName: name, email, password: "password-for-tests" });
  const org = await db().organization.findUniqueOrThrow({ where: { id: user.organizationId } });
  return {
    organizationId: org.id,
    userId: user.id,
    header: `User ${decrypt(user.secretEncrypted)}, Organization ${decrypt(org.secretEncrypted)}`,
  };
}

async function createUserInNewOrganization(name: string, email: string) {
  const orgSecret = generateSecret();
  const userSecret = generateSecret();
  const org = await db().organization.create({ data: { name, secretHash: hashSecret(orgSecret), secretEncrypted: encrypt(orgSecret) } });
  return db().user.create({
    data: {
      organizationId: org.id,
      email,
      passwordHash: await hashPassword("password-for-tests"),
      secretHash: hashSecret(userSecret),
      secretEncrypted: encrypt(userSecret),
    },
  });
}

// Route handlers differ in their params type; Promise<never> is assignable to each of them.
type Handler = (request: Request, context: { params: Promise<never> }) => Promise<Response>;

/** Calls a route handler the way Next.js does, with a real Request. */
export async function call(
  handler: Handler,
  options: { method?: string; header?: string; body?: unknown; rawBody?: BodyInit; contentType?: string; params?: Record<string, string>; url?: string } = {},
): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers = new Headers();
  if (options.header) headers.set("authorization", options.header);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers.set("content-type", options.contentType ?? "application/json");
  const request = new Request(options.url ?? "http://localhost/elements/api-v2/instances", {
    method: options.method ?? "GET",
    headers,
    body,
  });
  const response = await handler(request, { params: Promise.resolve(options.params ?? {}) as Promise<never> });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * A `POST /instances` body for Hootsuite with events on: it needs no provider call to be created (no
 * code: it waits for authorization) nor to take webhooks.
 */
export function hootsuiteBody(callbackUrl: string, extra: Record<string, unknown> = {}) {
  return {
    element: { key: "hootsuite" },
    name: "Hootsuite instance",
    configuration: {
      "oauth.callback.url": "https://app.test/oauth",
      "oauth.api.key": "hootsuite-client-id",
      "oauth.api.secret": "hootsuite-client-secret",
      "event.notification.enabled": true,
      "event.notification.callback.url": callbackUrl,
      ...extra,
    },
  };
}
