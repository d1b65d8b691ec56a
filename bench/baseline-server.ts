// The physical limit the ingest benchmark compares against: a bare node:http server that stores each
// request body with one INSERT through a pg pool, then answers 200. No parsing, no verification.
import http from "node:http";
import pg from "pg";

export async function startBaseline(databaseUrl: string, port: number) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query("CREATE TABLE IF NOT EXISTS bench_baseline (id BIGSERIAL PRIMARY KEY, received_at TIMESTAMPTZ NOT NULL DEFAULT now(), body BYTEA NOT NULL)");
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      pool.query("INSERT INTO bench_baseline (body) VALUES ($1)", [Buffer.concat(chunks)]).then(
        () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
