import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { ConnectionGate } from "@/lib/net/connection-gate";

/**
 * Puts the gate in front of node:http's own `connection` listener, so an over-cap connection is answered
 * and closed before node:http attaches its parser and reads a byte. (A listener of our own added beside
 * node:http's would run after the parser is attached; a separate TCP listener emitting `connection`
 * into a server that never listens loses node:http's header and request timeouts, which are only
 * armed once that server listens.) Call it before `server.listen`.
 */
export function gateConnections(server: Server, gate: ConnectionGate): void {
  const httpListeners = server.listeners("connection") as Array<(socket: Socket) => void>;
  if (httpListeners.length === 0) throw new Error("gateConnections: node:http's connection listener is missing");
  server.removeAllListeners("connection");
  server.on("connection", (socket: Socket) => {
    if (!gate.admit(socket)) return;
    for (const listener of httpListeners) listener.call(server, socket);
  });
  gate.watch(server);
}
