import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * Caps the connections the web server holds open, per client address and in total, so slow clients
 * (Slowloris: headers or bodies trickled byte by byte) cannot use up the process's file descriptors and
 * starve the database pools, ingest and the console. It decides on the raw socket, before node:http
 * parses a byte (`admit`, called by the listener in scripts/start.ts):
 *
 * - over the per-address cap: answered `429` (JSON, `Connection: close`) and closed;
 * - over the total cap: the longest-open *stalled* connection (no request in progress, or a request
 *   whose body is still arriving, for at least `stalledAfterMs`) is closed to make room, so a crowd of
 *   trickling connections from many addresses cannot lock out a sender whose request arrives at once
 *   (it is answered long before the crowd's newer connections reach it in line);
 *   with nothing stalled to shed the newcomer gets `503` and is closed.
 *
 * Loopback is not exempt: tests reach the server from 127.0.0.0/8 and must be able to hit the caps, and
 * a reverse proxy on the same host is handled by `HOOKLINE_TRUST_PROXY` (see lib/env.ts), not by
 * trusting an address.
 */

export type ConnectionLimits = {
  total: number;
  perAddress: number;
  /** A connection idle or receiving a request for this long may be shed when the total cap is reached. */
  stalledAfterMs: number;
};

type Entry = { address: string; since: number; request: IncomingMessage | null };

/** Refused sockets are answered and then read (so the answer is not lost to a reset) for this long. */
const LINGER_MS = 1_000;
/** Beyond this many refused sockets still lingering, more are closed without an answer (a flood). */
const MAX_LINGERING = 256;

const REASONS: Record<number, string> = { 429: "Too Many Requests", 503: "Service Unavailable" };

/** The raw bytes of a refusal (exported for tests). */
export function refusalResponse(status: 429 | 503, message: string): string {
  const body = JSON.stringify({ message });
  return `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n${body}`;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

export class ConnectionGate {
  private readonly open = new Map<Socket, Entry>();
  private readonly perAddress = new Map<string, number>();
  private lingering = 0;
  /** Counters for the log and tests. */
  readonly stats = { admitted: 0, refusedAddress: 0, refusedTotal: 0, shed: 0 };

  constructor(
    readonly limits: ConnectionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** True when the socket may go on to node:http; otherwise it has been answered and will close. */
  admit(socket: Socket): boolean {
    const address = clientAddress(socket);
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (fromAddress >= this.limits.perAddress) {
      this.stats.refusedAddress += 1;
      this.refuse(socket, 429, "Too many open connections from your address: reuse or close idle connections, then retry.");
      return false;
    }
    if (this.open.size >= this.limits.total && !this.shedOneStalled()) {
      this.stats.refusedTotal += 1;
      this.refuse(socket, 503, "The server has too many open connections right now; retry shortly.");
      return false;
    }
    this.stats.admitted += 1;
    this.open.set(socket, { address, since: this.now(), request: null });
    this.perAddress.set(address, fromAddress + 1);
    socket.once("close", () => this.release(socket));
    return true;
  }

  /** Follows requests on the server so the gate knows which connections are stalled. */
  watch(server: Server): void {
    server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      const entry = this.open.get(request.socket as Socket);
      if (!entry) return;
      entry.request = request;
      entry.since = this.now();
      response.once("finish", () => {
        entry.request = null;
        entry.since = this.now();
      });
    });
  }

  private release(socket: Socket): void {
    const entry = this.open.get(socket);
    if (!entry) return;
    this.open.delete(socket);
    const left = (this.perAddress.get(entry.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(entry.address, left);
    else this.perAddress.delete(entry.address);
  }

  private isStalled(entry: Entry, now: number): boolean {
    // A request whose body has fully arrived is being answered (a database write, a page, a live stream):
    // never shed it. Waiting for a first or next request, or for the rest of a body, is cheap to cut.
    if (entry.request !== null && entry.request.complete) return false;
    return now - entry.since >= this.limits.stalledAfterMs;
  }

  /** Closes the longest-open stalled connection (the map keeps connection order); false if none. */
  private shedOneStalled(): boolean {
    const now = this.now();
    for (const [socket, entry] of this.open) {
      if (!this.isStalled(entry, now)) continue;
      this.release(socket);
      socket.destroy();
      this.stats.shed += 1;
      return true;
    }
    return false;
  }

  private refuse(socket: Socket, status: 429 | 503, message: string): void {
    socket.on("error", () => undefined);
    if (this.lingering >= MAX_LINGERING) {
      socket.destroy();
      return;
    }
    this.lingering += 1;
    socket.once("close", () => (this.lingering -= 1));
    socket.end(refusalResponse(status, message));
    // Whatever the client already sent is read and dropped: closing with unread bytes would reset the
    // connection and the client would see the reset, not the answer.
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }
}
