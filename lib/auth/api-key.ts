import { hashSecret } from "@/lib/crypto/secrets";
import { db } from "@/lib/db/client";

export type ApiCredentials = { user: string; organization?: string; element?: string };

/**
 * Parses the Cloud Elements header `User <secret>, Organization <secret>[, Element <token>]`.
 * Parts may come in any order; names are case-insensitive. Returns null when the user part is
 * missing or a part is malformed.
 */
export function parseAuthorizationHeader(header: string | null | undefined): ApiCredentials | null {
  if (!header || header.length > 1000) return null;
  const parts: Record<string, string> = {};
  for (const chunk of header.split(",")) {
    const match = /^\s*(user|organization|element)\s+(\S+)\s*$/i.exec(chunk);
    if (!match) return null;
    const name = match[1]!.toLowerCase();
    if (parts[name]) return null;
    parts[name] = match[2]!;
  }
  if (!parts.user) return null;
  return { user: parts.user, organization: parts.organization, element: parts.element };
}

/**
 * The user (and organization) the header's secrets belong to. The organization secret, when sent,
 * must be that user's organization's. Returns null for anything that does not match.
 */
export async function authenticateApiRequest(header: string | null | undefined) {
  const credentials = parseAuthorizationHeader(header);
  if (!credentials) return null;
  const user = await db().user.findUnique({
    where: { secretHash: hashSecret(credentials.user) },
    include: { organization: true },
  });
  if (!user) return null;
  if (credentials.organization && user.organization.secretHash !== hashSecret(credentials.organization)) {
    return null;
  }
  if (!credentials.organization && !credentials.element) return null;
  return { user, organization: user.organization, elementToken: credentials.element };
}
