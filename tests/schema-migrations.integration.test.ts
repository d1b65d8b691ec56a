import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMigrations } from "@/lib/db/migrate";

// @prisma/internals is CommonJS; its getDMMF parses schema.prisma with Prisma's own (wasm) parser.
const { getDMMF } = createRequire(import.meta.url)("@prisma/internals") as typeof import("@prisma/internals");

type DmmfField = { name: string; dbName?: string | null; kind: string; type: string; isRequired: boolean; isList: boolean; nativeType?: [string, string[]] | null; relationFromFields?: string[] };
type Column = { table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: "YES" | "NO" };

/** The Postgres type Prisma's migrations create for a scalar (or its @db. native type). */
function expectedUdt(field: DmmfField, enums: Set<string>): string {
  if (enums.has(field.type)) return field.type;
  const native = field.nativeType?.[0];
  const byNative: Record<string, string> = { Uuid: "uuid", Timestamptz: "timestamptz", Timestamp: "timestamp", VarChar: "varchar", Text: "text", Integer: "int4", BigInt: "int8", SmallInt: "int2", JsonB: "jsonb", Inet: "inet", ByteA: "bytea" };
  if (native) return byNative[native] ?? native.toLowerCase();
  const byScalar: Record<string, string> = { String: "text", Int: "int4", BigInt: "int8", Boolean: "bool", DateTime: "timestamp", Json: "jsonb", Float: "float8", Decimal: "numeric", Bytes: "bytea" };
  return byScalar[field.type] ?? "unknown";
}

describe("prisma/schema.prisma and prisma/migrations agree", () => {
  let client: pg.Client;
  let columns: Column[];
  let dmmf: Awaited<ReturnType<typeof getDMMF>>;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    columns = (
      await client.query<Column>(
        `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
      )
    ).rows;
    const datamodel = await readFile(path.resolve("prisma/schema.prisma"), "utf8");
    dmmf = await getDMMF({ datamodel });
  });
  afterAll(() => client.end());

  it("has a table for every model and no table without a model", () => {
    const expected = dmmf.datamodel.models.map((m) => m.dbName ?? m.name).sort();
    const actual = [...new Set(columns.map((c) => c.table_name))].filter((t) => t !== "_prisma_migrations" && !t.startsWith("pgboss")).sort();
    expect(actual).toEqual(expected);
  });

  it("has every scalar field as a column of the right type and nullability, and no extra columns", () => {
    const enums = new Set(dmmf.datamodel.enums.map((e) => e.name));
    for (const model of dmmf.datamodel.models) {
      const table = model.dbName ?? model.name;
      const fields = (model.fields as unknown as DmmfField[]).filter((f) => f.kind === "scalar" || f.kind === "enum");
      const tableColumns = columns.filter((c) => c.table_name === table);
      expect(tableColumns.map((c) => c.column_name).sort(), `columns of ${table}`).toEqual(fields.map((f) => f.dbName ?? f.name).sort());
      for (const field of fields) {
        const column = tableColumns.find((c) => c.column_name === (field.dbName ?? field.name))!;
        const udt = field.isList ? `_${expectedUdt(field, enums)}` : expectedUdt(field, enums);
        expect(column.udt_name, `${table}.${column.column_name} type`).toBe(udt);
        // Prisma creates scalar lists (String[]) as nullable array columns.
        const nullable = field.isList || !field.isRequired ? "YES" : "NO";
        expect(column.is_nullable, `${table}.${column.column_name} nullability`).toBe(nullable);
      }
    }
  });

  it("has every enum with the same values", async () => {
    const { rows } = await client.query<{ name: string; value: string }>(
      // Only `public`: pg-boss keeps its own enum (job_state) in the `pgboss` schema.
      `SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
         JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY e.enumsortorder`,
    );
    for (const enumType of dmmf.datamodel.enums) {
      expect(rows.filter((r) => r.name === enumType.name).map((r) => r.value)).toEqual(enumType.values.map((v) => v.dbName ?? v.name));
    }
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(dmmf.datamodel.enums.map((e) => e.name)));
  });

  it("records every migration in _prisma_migrations the way prisma migrate deploy does", async () => {
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
    );
    const migrations = await readMigrations();
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(migrations.map((m) => [m.name, m.checksum]));
    for (const row of rows) {
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });
});
