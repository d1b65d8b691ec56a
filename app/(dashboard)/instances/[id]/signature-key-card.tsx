import { ShieldAlert } from "lucide-react";
import { SecretField } from "@/components/secret-field";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatExactTime } from "@/lib/format";
import type { Instance } from "@/lib/generated/prisma/client";
import { signatureKeyState } from "@/lib/instances/signature-key";
import { GenerateSignatureKey } from "./generate-signature-key";
import { revealSignatureKeyAction, rotateSignatureKeyAction } from "./signature-key-actions";

/** The instance's signature key: reveal, copy, rotate; or, for an instance without one, that deliveries go out unsigned. */
export function SignatureKeyCard({ instance }: { instance: Instance }) {
  const state = signatureKeyState(instance);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Delivery signatures</CardTitle>
        <CardDescription>
          Every delivery carries <code>Elements-Webhook-Signature</code> and the Standard Webhooks headers, made with this key.{" "}
          <a className="text-primary underline-offset-4 hover:underline" href="/docs#verifying-deliveries">
            Verifying deliveries
          </a>
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {state.masked ? (
          <>
            <SecretField
              id="signature-key"
              label="Signature key"
              masked={state.masked}
              reveal={revealSignatureKeyAction.bind(null, instance.id)}
              rotate={rotateSignatureKeyAction.bind(null, instance.id)}
              rotateWarning="A new key is generated. For 24 h deliveries carry signatures for both keys; then only the new one."
              rotated="Signature key rotated. Deliveries carry both keys' signatures for 24 h."
            />
            {state.previousUntil ? (
              <p className="text-xs text-muted-foreground" data-testid="previous-signature-key">
                The previous key still signs deliveries (in <code>webhook-signature</code>) until{" "}
                <time dateTime={state.previousUntil.toISOString()}>{formatExactTime(state.previousUntil)}</time>.
              </p>
            ) : null}
          </>
        ) : (
          <div role="alert" className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-warning/40 bg-warning/10 px-4 py-3 text-sm">
            <p className="flex items-center gap-2">
              <ShieldAlert className="size-4 shrink-0" aria-hidden />
              Deliveries from this instance are unsigned: it has no signature key, so receivers cannot tell they come from Hookline.
            </p>
            <GenerateSignatureKey instanceId={instance.id} />
          </div>
        )}
      </CardContent>
    </Card>
  );
}
