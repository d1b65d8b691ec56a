import { describe, expect, it } from "vitest";
import { connectors, getConnector } from "@/lib/connectors";
import {
  MAX_CONFIGURATION_DEPTH,
  parseConfiguration,
  parseCreateInstanceBody,
  parsePatchInstanceBody,
  unstorableJsonReason,
  unstorableText,
} from "@/lib/connectors/schema";

// What the database cannot store came back as a 500 (found by reliability/fuzz.test.ts): a JSON body's
// `\u0000` and lone `\ud800` escapes in any text, and unknown configuration values nested thousands deep.

const campaignMonitor = getConnector("campaignmonitor")!;

function body(overrides: Record<string, unknown> = {}, configuration: Record<string, unknown> = {}) {
  return {
    element: { key: "campaignmonitor" },
    name: "Newsletter",
    configuration: { "oauth.api.key": "key", "oauth.api.secret": "secret", "oauth.callback.url": "https://mycoolapp.com", ...configuration },
    ...overrides,
  };
}

function fieldErrors(json: unknown): Record<string, string[]> {
  const result = parseCreateInstanceBody(json, connectors);
  if (result.ok) throw new Error("expected a validation failure");
  return result.fieldErrors;
}

describe("text and values the database cannot store", () => {
  it("names NUL and unpaired surrogates, and lets paired ones (emoji) through", () => {
    expect(unstorableText("a\u0000b")).toMatch(/NUL/);
    expect(unstorableText("\ud800")).toMatch(/surrogate/);
    expect(unstorableText("x\udc00")).toMatch(/surrogate/);
    expect(unstorableText("\udc00\ud800")).toMatch(/surrogate/);
    expect(unstorableText("😀 café \u2028")).toBeNull();
    expect(unstorableJsonReason({ a: [{ b: "ok" }], "\u0000": 1 })).toMatch(/key containing the NUL/);
    expect(unstorableJsonReason(JSON.parse("[".repeat(MAX_CONFIGURATION_DEPTH) + "]".repeat(MAX_CONFIGURATION_DEPTH)))).toBeNull();
    expect(unstorableJsonReason(JSON.parse("[".repeat(MAX_CONFIGURATION_DEPTH + 1) + "]".repeat(MAX_CONFIGURATION_DEPTH + 1)))).toMatch(/nested more than/);
    // Iterative: 100 000 levels neither overflow the stack nor take long.
    expect(unstorableJsonReason(JSON.parse("[".repeat(100_000) + "]".repeat(100_000)))).toMatch(/nested more than/);
  });

  it("refuses them in the name, tags, known and secret fields, and unknown keys and values, naming each", () => {
    expect(fieldErrors(body({ name: "a\u0000b" })).name).toEqual(["Name must not contain the NUL character (\\u0000)"]);
    expect(fieldErrors(body({ name: "\ud800" })).name?.[0]).toMatch(/unpaired UTF-16 surrogate/);
    expect(fieldErrors(body({ tags: ["ok", "x\u0000"] })).tags?.[0]).toMatch(/^A tag must not contain the NUL/);
    expect(fieldErrors(body({}, { "oauth.api.key": "k\u0000" }))["oauth.api.key"]?.[0]).toMatch(/NUL/);
    expect(fieldErrors(body({}, { "oauth.api.secret": "s\udfff" }))["oauth.api.secret"]?.[0]).toMatch(/surrogate/);
    expect(fieldErrors(body({}, { "x\u0000y": 1 }))).toEqual({ "x\\u0000y": ["The key must not contain the NUL character (\\u0000)"] });
    expect(fieldErrors(body({}, { extra: { list: ["\ud800"] } })).extra?.[0]).toMatch(/^The value must not contain an unpaired/);
    const deep = JSON.parse(`{"deep":${"[".repeat(5000)}${"]".repeat(5000)}}`) as Record<string, unknown>;
    expect(fieldErrors(body({}, deep)).deep).toEqual([`The value must not be nested more than ${MAX_CONFIGURATION_DEPTH} levels deep`]);
  });

  it("keeps accepting what it accepted: emoji, accents, unknown keys with shallow values", () => {
    const result = parseCreateInstanceBody(body({ name: "Newsletter 😀 été", tags: ["ünïcode"] }, { extra: { a: [1, "two", null] } }), connectors);
    expect(result.ok).toBe(true);
  });

  it("applies to PATCH bodies and to a merged configuration", () => {
    const patch = parsePatchInstanceBody(campaignMonitor, { name: "\u0000", configuration: { note: "\udc00" } });
    expect(patch.ok).toBe(false);
    if (!patch.ok) expect(Object.keys(patch.fieldErrors).sort()).toEqual(["name", "note"]);
    const merged = parseConfiguration(campaignMonitor, { ...body().configuration, nested: { a: { b: "\u0000" } } }, { mode: "create" });
    expect(merged.ok).toBe(false);
  });
});
