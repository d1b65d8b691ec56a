import { NODE_SNIPPET, PYTHON_SNIPPET, VECTOR } from "@/lib/docs/verifying-deliveries";

const code = "rounded bg-muted px-1";

/** The /docs section on checking a delivery's signatures, with the test vector and runnable receivers. */
export function VerifyingDeliveries() {
  return (
    <section id="verifying-deliveries">
      <h2 className="mt-10 mb-3 text-xl font-semibold">Verifying deliveries</h2>
      <div className="grid gap-3 text-sm text-muted-foreground">
        <p>
          Every delivery is signed with the instance&apos;s <code className={code}>event.notification.signature.key</code>. An
          instance created without one gets a generated key (32 random bytes, <code className={code}>whsec_&lt;base64&gt;</code>),
          returned in full once, in the <code className={code}>configuration</code> of the <code className={code}>POST /instances</code>{" "}
          answer; later answers mask it, and the instance page reveals, copies and rotates it.
        </p>
        <ul className="list-disc pl-6">
          <li>
            <code className={code}>Elements-Webhook-Signature: sha256=&lt;base64 HMAC-SHA256(key string as UTF-8, body)&gt;</code>,
            as Cloud Elements sends it.
          </li>
          <li>
            Standard Webhooks: <code className={code}>webhook-id</code>, <code className={code}>webhook-timestamp</code> and{" "}
            <code className={code}>webhook-signature: v1,&lt;base64 HMAC-SHA256(key bytes, id.timestamp.body)&gt;</code>; a{" "}
            <code className={code}>whsec_</code> key&apos;s bytes are its base64 part decoded. Libraries take the key as it is:{" "}
            <code className={code}>new Webhook(key).verify(body, headers)</code>.
          </li>
          <li>
            After a rotation, deliveries carry signatures for the old and the new key for 24 h (several space-separated{" "}
            <code className={code}>v1,</code> entries; any may match); <code className={code}>Elements-Webhook-Signature</code> follows
            the new key.
          </li>
        </ul>
        <p>
          Test vector: key <code className={code}>{VECTOR.key}</code>, id <code className={code}>{VECTOR.id}</code>, timestamp{" "}
          <code className={code}>{VECTOR.timestamp}</code>, body <code className={code}>{VECTOR.body}</code> →{" "}
          <code className={code}>webhook-signature: {VECTOR.standard}</code> and{" "}
          <code className={code}>Elements-Webhook-Signature: {VECTOR.elements}</code>.
        </p>
        {[
          ["Node.js (no dependencies)", NODE_SNIPPET],
          ["Python 3 (standard library)", PYTHON_SNIPPET],
        ].map(([title, source]) => (
          <figure key={title} className="grid gap-1">
            <figcaption className="font-medium text-foreground">{title}</figcaption>
            <pre className="overflow-x-auto rounded-md border bg-muted/40 p-3 font-mono text-xs text-foreground">{source}</pre>
          </figure>
        ))}
      </div>
    </section>
  );
}
