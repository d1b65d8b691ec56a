/*
 * react-hook-form reads a dot in a field name as nesting, so a form whose fields are named by API name
 * (`event.notification.enabled`) holds `{ event: { notification: { enabled } } }`. The server action turns
 * that back into the flat, API-name-keyed `configuration` a Cloud Elements body carries.
 */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `{ oauth: { api: { key: "x" } }, tags: ["a"] }` → `{ "oauth.api.key": "x", tags: ["a"] }`.
 * Arrays, dates and other non-plain values are leaves; an empty object contributes nothing; a
 * `__proto__` key is dropped so it cannot reach a prototype. A non-object input gives `{}`.
 */
export function flattenFormValues(values: unknown): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  const walk = (value: Record<string, unknown>, prefix: string) => {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "__proto__") continue;
      const name = prefix === "" ? key : `${prefix}.${key}`;
      if (isPlainObject(inner)) walk(inner, name);
      else flat[name] = inner;
    }
  };
  if (isPlainObject(values)) walk(values, "");
  return flat;
}
