// The attacker of reliability/abuse-net.test.ts, in a process of its own so its 5 000 sockets do not
// slow down the test's own latency probes. Started with fork() and a JSON config in argv[2]; on the
// message "stop" it closes everything, answers its figures and exits.
import net from "node:net";

type Config = { host: string; port: number; path: string; addresses: string[]; socketsPerAddress: number; reopenAfterMs: number };

const config = JSON.parse(process.argv[2] ?? "{}") as Config;
const sockets = new Set<net.Socket>();
const figures = { opened: 0, refused: 0, cut: 0, mostOpen: 0 };
let stopped = false;

/**
 * Half the sockets send a request line and then one header byte at a time, never ending the headers;
 * half send the complete headers of a 100 kB webhook and then one body byte at a time.
 */
function head(trickleBody: boolean): string {
  const start = `POST ${config.path} HTTP/1.1\r\nHost: ${config.host}:${config.port}\r\n`;
  return trickleBody ? `${start}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{` : `${start}X-Slow: `;
}

function open(from: string, trickleBody: boolean): void {
  if (stopped) return;
  figures.opened += 1;
  const socket = net.connect({ host: config.host, port: config.port, localAddress: from });
  sockets.add(socket);
  figures.mostOpen = Math.max(figures.mostOpen, sockets.size);
  socket.on("connect", () => socket.write(head(trickleBody)));
  socket.on("data", (chunk: Buffer) => {
    if (/^HTTP\/1\.1 (429|503)/.test(chunk.toString("latin1"))) figures.refused += 1;
    else figures.cut += 1; // a 408 of the header or request timeout
  });
  socket.on("error", () => undefined);
  socket.on("close", () => {
    sockets.delete(socket);
    // As a real attacker does: a connection that was cut or refused is opened again.
    setTimeout(() => open(from, trickleBody), config.reopenAfterMs * (0.5 + Math.random()));
  });
}

for (const from of config.addresses) for (let i = 0; i < config.socketsPerAddress; i += 1) open(from, i % 2 === 1);

// A byte a second on every open socket, a tenth of them every 100 ms.
let tick = 0;
const trickle = setInterval(() => {
  tick += 1;
  let i = 0;
  for (const socket of sockets) if (i++ % 10 === tick % 10 && socket.writable && !socket.connecting) socket.write("a");
}, 100);

process.on("message", (message) => {
  if (message === "count") {
    process.send?.({ open: sockets.size, ...figures });
    return;
  }
  if (message !== "stop") return;
  stopped = true;
  clearInterval(trickle);
  for (const socket of sockets) socket.destroy();
  process.send?.({ open: 0, ...figures }, () => process.exit(0));
});
