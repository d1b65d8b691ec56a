/**
 * A search term turned into what PostgreSQL matches stored request bodies with: the term as typed and
 * as providers encode it (JSON strings, form fields), escape-encoded like `hookline_body_text()`, as one
 * case-insensitive regular expression the trigram index can use.
 */

/**
 * bytea `escape` encoding of the UTF-8 bytes of `text`, the form `hookline_body_text()` gives stored
 * bodies: a backslash doubled, NUL and non-ASCII bytes as `\ooo`, everything else as is.
 */
export function escapeEncode(text: string): string {
  let encoded = "";
  for (const byte of Buffer.from(text, "utf8")) {
    if (byte === 0x5c) encoded += "\\\\";
    else if (byte === 0 || byte >= 0x80) encoded += `\\${byte.toString(8).padStart(3, "0")}`;
    else encoded += String.fromCharCode(byte);
  }
  return encoded;
}

/** `text` as a regular expression (ARE) matching it literally: a backslash before each character but a letter or digit. */
function regexLiteral(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, (char) => `\\${char}`);
}

/**
 * A search term as typed, and as it appears inside a JSON string (quotes and backslashes escaped,
 * non-ASCII possibly as \u00e9) or a form-encoded body (`%40` for `@`, `+` for a space), so a value is
 * found however the provider encoded its body.
 */
function searchVariants(term: string): string[] {
  const json = JSON.stringify(term).slice(1, -1);
  const asciiJson = json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const uri = encodeURIComponent(term);
  return [...new Set([term, json, asciiJson, uri, uri.replace(/%20/g, "+")])];
}

/**
 * The search for a term as one case-insensitive regular expression (`~*`): the variants, escape-encoded
 * (so ASCII only, where ~* and ILIKE fold case alike) and quoted, as alternatives. It finds what
 * `ILIKE '%variant%'` for each variant finds, but faster on a large table: pg_trgm looks up every
 * trigram of a LIKE pattern in the index, word-boundary ones such as " co" or "om " that nearly every
 * body has included, one index scan per pattern; from a regex it takes a bounded set, dropping those
 * first, in one index scan for all variants. Measured at 1 M events (bench/event-log.ts): an email
 * address 40 → 8 ms, a 32-digit hex id 5.2 → 3.8 ms.
 */
export function searchRegex(term: string): string {
  return searchVariants(term)
    .map((variant) => regexLiteral(escapeEncode(variant)))
    .join("|");
}
