/** Pieces every part of the OpenAPI document uses (lib/api/openapi.ts, lib/api/openapi-events.ts). */
export type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema> };

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const jsonContent = (schema: unknown) => ({ "application/json": { schema } });

export const errors = Object.fromEntries(
  [
    ["400", "Invalid body; fieldErrors name the API names at fault"],
    ["401", "Missing or wrong Authorization header"],
    ["404", "Unknown instance, or another organization's"],
    ["413", "Body over 1 MB"],
    ["415", "Body is not JSON"],
  ].map(([code, description]) => [code, { description, content: jsonContent(ref("Error")) }]),
);

export const idParam = { name: "id", in: "path", required: true, schema: { type: "integer" } };
