// The providers' side for the reliability suite: one local server that refuses every call (token
// exchange, webhook registration, metadata, ConnectWise keys) at once, and the environment that points
// every connector at it, so runs never wait on an unreachable internet.
import http from "node:http";

const CONNECTORS = ["CAMPAIGNMONITOR", "HOOTSUITE", "MAILCHIMPV3", "CONNECTWISECRMREST"];

export async function startRefusingProvider(status: number, body: string) {
  const server = http.createServer((_req, res) => res.writeHead(status, { "content-type": "application/json" }).end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const env = Object.fromEntries(
    CONNECTORS.flatMap((key) => [
      [`HOOKLINE_${key}_TOKEN_URL`, `${url}/token`],
      [`HOOKLINE_${key}_API_URL`, `${url}/api`],
      [`HOOKLINE_${key}_METADATA_URL`, `${url}/metadata`],
    ]),
  );
  return { url, env, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
