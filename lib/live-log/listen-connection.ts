import pg from "pg";
import { log } from "@/lib/log";

/**
 * One PostgreSQL connection that LISTENs on a channel for the live event log's hub
 * (lib/live-log/notify-hub.ts), reconnecting with backoff (250 ms doubling to 10 s) while it is wanted.
 * It remembers when announcements stopped arriving, so the hub can tell its subscribers to catch up
 * once LISTEN is in place again; a connection nobody wanted missed nothing.
 */

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

export type ListenEvents = {
  notification: (payload: string | undefined) => void;
  /** LISTEN is in place; `missedSince` (ms) is when announcements stopped arriving, if they may have been missed. */
  listening: (missedSince: number | null) => void;
  /** Whether anyone still needs the connection: without, it is not reconnected and nothing counts as missed. */
  wanted: () => boolean;
};

export class ListenConnection {
  private client: pg.Client | null = null;
  private connecting = false;
  private listeningNow = false;
  /** When announcements stopped arriving (a lost or failed connection), until the next LISTEN. */
  private lostAt: number | null = null;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connectionString: () => string,
    private readonly channel: string,
    private readonly events: ListenEvents,
  ) {}

  get listening(): boolean {
    return this.listeningNow;
  }

  /** Connects and LISTENs unless that is done, under way or waiting for its retry. */
  connect(): void {
    if (this.client || this.connecting || this.retryTimer) return;
    const client = new pg.Client({ connectionString: this.connectionString(), application_name: "hookline-live", keepAlive: true });
    this.connecting = true;
    client.on("notification", (message) => {
      if (message.channel === this.channel) this.events.notification(message.payload);
    });
    client.on("error", (error) => this.onLost(client, error));
    client.on("end", () => this.onLost(client));
    this.client = client;
    client
      .connect()
      .then(() => client.query(`LISTEN ${this.channel}`))
      .then(() => {
        if (this.client !== client) return;
        this.connecting = false;
        this.listeningNow = true;
        this.retryMs = FIRST_RETRY_MS;
        const since = this.lostAt;
        this.lostAt = null;
        this.events.listening(since);
      })
      .catch((error: unknown) => this.onLost(client, error instanceof Error ? error : new Error(String(error))));
  }

  /** Stops listening on purpose: nothing is missed, since nobody wants the announcements. */
  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.connecting = false;
    this.listeningNow = false;
    this.lostAt = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (client) {
      client.removeAllListeners();
      client.on("error", () => undefined);
      await client.end().catch(() => undefined);
    }
  }

  private onLost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.connecting = false;
    this.listeningNow = false;
    this.lostAt ??= Date.now();
    client.removeAllListeners("notification");
    client.on("error", () => undefined); // a late socket error of the dead client must not crash the process
    void client.end().catch(() => undefined);
    if (!this.events.wanted()) {
      this.lostAt = null; // nobody was listening, so nothing was missed
      return;
    }
    log("warn", "live event log lost its database connection; reconnecting", { error: error?.message ?? "connection ended" });
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.events.wanted()) this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
