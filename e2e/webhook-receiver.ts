import http from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedDelivery = { headers: http.IncomingHttpHeaders; body: string };

/**
 * A callback URL for the e2e specs: a local HTTP server that records each delivery and answers 200.
 * `holdNext()` keeps the next delivery waiting until `release()`, so a spec can see a row while its
 * delivery is still in flight.
 */
export async function startWebhookReceiver() {
  const received: ReceivedDelivery[] = [];
  const held: (() => void)[] = [];
  let holdNext = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const answer = () => res.writeHead(200, { "content-type": "text/plain" }).end("thanks");
      if (holdNext) {
        holdNext = false;
        held.push(answer);
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    holdNext: () => {
      holdNext = true;
    },
    /** Answers the held delivery (and holds none that arrives later). */
    release: () => {
      holdNext = false;
      for (const answer of held.splice(0)) answer();
    },
    heldCount: () => held.length,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
