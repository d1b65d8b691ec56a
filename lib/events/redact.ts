/** Headers that carry credentials or signatures are kept by name only: a stored request must not be a replayable one. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-content-signature)$|signature|secret|token|api[-_]?key|password/i;

/** The headers of a received request as stored and shown: secret-bearing ones redacted, NUL removed. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, SECRET_HEADER.test(name) ? "[redacted]" : value.replace(/\u0000/g, "")]),
  );
}
