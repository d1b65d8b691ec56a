import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi";

// Every route file under app/elements/api-v2 is in the OpenAPI document (and so in /docs, which lists
// the document's operations), with each method it exports. The catch-all `[...path]` only answers 404s.

const API_DIR = path.resolve(import.meta.dirname, "../../app/elements/api-v2");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith("[...") ? [] : routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/** `/events/[key]/[id]` and `/events/{elementKey}/{instanceId}` both become `/events/{}/{}`. */
const shape = (template: string) => template.replace(/\[[^\]]+\]|\{[^}]+\}/g, "{}");

const documented = new Map(
  Object.entries(openApiDocument("https://hookline.test").paths).map(([template, item]) => [shape(template), Object.keys(item)]),
);

const routes = routeFiles(API_DIR).map((file) => {
  const template = `/${path.relative(API_DIR, path.dirname(file)).split(path.sep).join("/")}`;
  const source = readFileSync(file, "utf8");
  return { template, methods: METHODS.filter((method) => new RegExp(`export const ${method}\\b`).test(source)) };
});

describe("the OpenAPI document covers every API route", () => {
  it("finds the route files", () => {
    expect(routes.length).toBeGreaterThanOrEqual(13);
  });

  it.each(routes.map((route) => [route.template, route.methods] as const))("%s %j", (template, methods) => {
    const operations = documented.get(shape(template));
    expect(operations, `${template} is not in lib/api/openapi.ts`).toBeDefined();
    for (const method of methods) expect(operations, `${method} ${template}`).toContain(method.toLowerCase());
  });
});
