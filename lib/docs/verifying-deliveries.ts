/**
 * The "Verifying deliveries" material shown on /docs and in README.md: a fixed test vector and two
 * dependency-free receivers (Node, Python) that check it. `verifying-deliveries.test.ts` runs both
 * snippets, checks the vector against lib/delivery/sign.ts and that README.md prints the same text.
 */

export const VECTOR = {
  key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: "1614265330",
  body: '{"test": 2432232314}',
  elements: "sha256=gOyKic480iEzoQZsrstNBP6nRnZXyFFNcX7ELDilyUw=",
  standard: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
} as const;

export const NODE_SNIPPET = `// verify.mjs: node verify.mjs
import { createHmac, timingSafeEqual } from "node:crypto";

const key = "${VECTOR.key}"; // the instance's event.notification.signature.key
const headers = {
  "webhook-id": "${VECTOR.id}",
  "webhook-timestamp": "${VECTOR.timestamp}",
  "webhook-signature": "${VECTOR.standard}",
  "elements-webhook-signature": "${VECTOR.elements}",
};
const body = Buffer.from('${VECTOR.body}'); // the raw request body, byte for byte

const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

// Standard Webhooks: base64 HMAC-SHA256 of "<id>.<timestamp>.<body>", keyed with the bytes after "whsec_".
// In production also refuse a webhook-timestamp more than 5 minutes from your clock.
function verifyStandard(key, headers, body) {
  const secret = key.startsWith("whsec_") ? Buffer.from(key.slice(6), "base64") : Buffer.from(key, "utf8");
  const signed = Buffer.concat([Buffer.from(\`\${headers["webhook-id"]}.\${headers["webhook-timestamp"]}.\`), body]);
  const expected = createHmac("sha256", secret).update(signed).digest("base64");
  // During a key rotation the header lists one "v1,<sig>" per key, space-separated: any may match.
  return headers["webhook-signature"].split(" ").some((entry) => entry.startsWith("v1,") && same(entry.slice(3), expected));
}

// Elements: "sha256=" + base64 HMAC-SHA256 of the body, keyed with the whole key string as UTF-8.
function verifyElements(key, headers, body) {
  const expected = "sha256=" + createHmac("sha256", key).update(body).digest("base64");
  return same(headers["elements-webhook-signature"], expected);
}

console.log(verifyStandard(key, headers, body), verifyElements(key, headers, body)); // true true
`;

export const PYTHON_SNIPPET = `# verify.py: python3 verify.py
import base64, hashlib, hmac

key = "${VECTOR.key}"  # the instance's event.notification.signature.key
headers = {
    "webhook-id": "${VECTOR.id}",
    "webhook-timestamp": "${VECTOR.timestamp}",
    "webhook-signature": "${VECTOR.standard}",
    "elements-webhook-signature": "${VECTOR.elements}",
}
body = b'${VECTOR.body}'  # the raw request body, byte for byte

def verify_standard(key, headers, body):
    # base64 HMAC-SHA256 of "<id>.<timestamp>.<body>", keyed with the bytes after "whsec_";
    # in production also refuse a webhook-timestamp more than 5 minutes from your clock.
    secret = base64.b64decode(key[6:]) if key.startswith("whsec_") else key.encode()
    signed = f'{headers["webhook-id"]}.{headers["webhook-timestamp"]}.'.encode() + body
    expected = base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()
    # During a key rotation the header lists one "v1,<sig>" per key, space-separated: any may match.
    return any(e.startswith("v1,") and hmac.compare_digest(e[3:], expected) for e in headers["webhook-signature"].split(" "))

def verify_elements(key, headers, body):
    # "sha256=" + base64 HMAC-SHA256 of the body, keyed with the whole key string as UTF-8.
    expected = "sha256=" + base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(headers["elements-webhook-signature"], expected)

print(verify_standard(key, headers, body), verify_elements(key, headers, body))  # True True
`;
