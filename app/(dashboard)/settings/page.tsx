import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/session";
import { decrypt, maskSecret } from "@/lib/crypto/secrets";
import { publicUrl } from "@/lib/env";
import { SecretField } from "@/components/secret-field";
import { revealSecretAction, rotateSecretAction } from "./actions";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireUser();
  return (
    <>
      <PageHeader title="Settings" description={`${user.organization.name} · signed in as ${user.email}`} />
      <Card>
        <CardHeader>
          <CardTitle>API secrets</CardTitle>
          <CardDescription>
            REST clients authenticate with{" "}
            <code className="rounded bg-muted px-1 py-0.5 text-xs">
              Authorization: User &lt;User secret&gt;, Organization &lt;Organization secret&gt;
            </code>{" "}
            on <code className="rounded bg-muted px-1 py-0.5 text-xs">{publicUrl()}/elements/api-v2</code>.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-6">
          {(
            [
              ["organization", "Organization secret", user.organization.secretEncrypted],
              ["user", "User secret", user.secretEncrypted],
            ] as const
          ).map(([kind, label, encrypted]) => (
            <SecretField
              key={kind}
              id={`${kind}-secret`}
              label={label}
              masked={maskSecret(decrypt(encrypted))}
              reveal={revealSecretAction.bind(null, kind)}
              rotate={rotateSecretAction.bind(null, kind)}
              rotateWarning="The old secret stops working as soon as you confirm."
              rotated={`${label} rotated. Update every client that uses it.`}
            />
          ))}
        </CardContent>
      </Card>
    </>
  );
}
