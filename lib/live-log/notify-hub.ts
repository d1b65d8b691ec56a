import { env } from "@/lib/env";
import { announceQueuedChanges, EVENTS_CHANNEL, parseAnnouncement, registerWatchers } from "@/lib/live-log/change-queue";
import { ListenConnection } from "@/lib/live-log/listen-connection";
import { fetchEventLogRows } from "@/lib/live-log/query";
import type { EventLogRow } from "@/lib/live-log/schema";
import { onEnqueued } from "@/lib/delivery/queue";
import { log } from "@/lib/log";

/**
 * The live event log's feed: ONE `LISTEN hookline_events` connection per process, fanned out to this
 * process's streams by organization. Why changes are queued by a trigger and announced by the process
 * rather than NOTIFYed by ingest: lib/live-log/change-queue.ts. While this process has subscribers it
 * - keeps their organizations watched (renewed every 20 s, lapsing 60 s after the last);
 * - announces queued changes every 150 ms (and at once when this process ingested something);
 * - hears those NOTIFYs (its own and other processes'), reads the rows back in one query and hands them
 *   to the subscribers of each row's organization (taken from the row, not the message).
 *
 * Nothing is kept here that another process needs. Whenever announcements may have been missed (the
 * LISTEN connection dropped, a watcher entry lapsed or is new, a read failed) subscribers get a `gap`
 * with the time since when, and read what changed from the events table.
 */

export type HubMessage =
  /** Rows of the subscriber's organization, read after their announcement; `at` is when. */
  | { kind: "rows"; rows: EventLogRow[]; at: number }
  /** Announcements may have been missed since `since` (ms): read what changed from the database. */
  | { kind: "gap"; since: number };

export type HubListener = (message: HubMessage) => void;

export type Subscription = {
  unsubscribe: () => void;
  /** Resolves once changes of the organization are queued and the LISTEN is in place. */
  ready: Promise<void>;
};

const FLUSH_DELAY_MS = 20;
const MAX_IDS_PER_READ = 500;
const PUMP_MS = 150;
const PUMP_MIN_GAP_MS = 25;
const PUMP_BATCH = 2000;
const WATCH_SECONDS = 60;
const HEARTBEAT_MS = 20_000;
/** How long a transaction that began before a watcher entry existed may still commit unqueued rows. */
const SETTLE_MS = 2_000;
const IDLE_CLOSE_MS = 5_000;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class NotifyHub {
  private readonly listeners = new Map<string, Set<HubListener>>();
  /** Organizations whose watcher entry this process keeps, with the first registration in flight. */
  private readonly watching = new Map<string, Promise<void>>();
  private readonly connection: ListenConnection;
  private idleTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private pumpTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private stopEnqueuedHook: (() => void) | null = null;
  private pumping = false;
  private pumpAgain = false;
  private flushing = false;
  private readonly pending = new Set<string>();
  private listeningWaiters: (() => void)[] = [];

  constructor(connectionString: () => string) {
    this.connection = new ListenConnection(connectionString, EVENTS_CHANNEL, {
      notification: (payload) => this.onAnnouncement(payload),
      listening: (missedSince) => {
        for (const resolve of this.listeningWaiters.splice(0)) resolve();
        if (missedSince !== null) this.broadcast({ kind: "gap", since: missedSince });
        if (this.listeners.size === 0) this.scheduleIdleClose();
      },
      wanted: () => this.listeners.size > 0,
    });
  }

  subscribe(organizationId: string, listener: HubListener): Subscription {
    let set = this.listeners.get(organizationId);
    if (!set) this.listeners.set(organizationId, (set = new Set()));
    set.add(listener);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.start();
    const listening = this.connection.listening ? Promise.resolve() : new Promise<void>((resolve) => this.listeningWaiters.push(resolve));
    this.connection.connect();
    let registered = this.watching.get(organizationId);
    if (!registered) {
      registered = this.register([organizationId]);
      this.watching.set(organizationId, registered);
    }
    let subscribed = true;
    return {
      ready: Promise.all([listening, registered]).then(() => undefined),
      unsubscribe: () => {
        if (!subscribed) return;
        subscribed = false;
        set.delete(listener);
        if (set.size === 0 && this.listeners.get(organizationId) === set) {
          this.listeners.delete(organizationId);
          // The entry lapses by itself (other processes may be watching the same organization).
          this.watching.delete(organizationId);
        }
        if (this.listeners.size === 0) this.scheduleIdleClose();
      },
    };
  }

  /** Subscribers across organizations (for tests and diagnostics). */
  get subscriberCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  // ——— watching and announcing ————————————————————————————————————————————————————————————

  private start(): void {
    if (!this.pumpTimer) {
      this.pumpTimer = setInterval(() => void this.pump(), PUMP_MS);
      this.pumpTimer.unref();
    }
    if (!this.heartbeatTimer) {
      this.heartbeatTimer = setInterval(() => void this.register([...this.listeners.keys()]), HEARTBEAT_MS);
      this.heartbeatTimer.unref();
    }
    // An ingest or redeliver in this process: announce now rather than at the next tick.
    this.stopEnqueuedHook ??= onEnqueued(() => setImmediate(() => void this.pump()));
  }

  private stop(): void {
    if (this.pumpTimer) clearInterval(this.pumpTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.pumpTimer = null;
    this.heartbeatTimer = null;
    this.stopEnqueuedHook?.();
    this.stopEnqueuedHook = null;
  }

  /** Renews the watcher entries of `organizations`; a new or lapsed one means changes went unqueued: a gap. */
  private async register(organizations: string[]): Promise<void> {
    if (organizations.length === 0) return;
    const startedAt = Date.now();
    try {
      for (const { organizationId, lapsedAt } of await registerWatchers(organizations, WATCH_SECONDS)) {
        const since = lapsedAt ?? startedAt;
        // After transactions that began before the entry existed have had time to commit.
        setTimeout(() => this.emit(organizationId, { kind: "gap", since }), SETTLE_MS).unref();
      }
    } catch (error) {
      // The next heartbeat tries again and reports the organizations as new or lapsed then.
      log("warn", "live event log could not register its watchers", { error: errorMessage(error) });
    }
  }

  private async pump(): Promise<void> {
    if (this.listeners.size === 0) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      for (;;) {
        const startedAt = Date.now();
        this.pumpAgain = false;
        const full = (await announceQueuedChanges(PUMP_BATCH)) >= PUMP_BATCH;
        if (!full && !this.pumpAgain) break;
        // Busy: keep announcing, but at most one statement per PUMP_MIN_GAP_MS (a batch covers many ingests).
        if (!full) await new Promise((resolve) => setTimeout(resolve, Math.max(0, PUMP_MIN_GAP_MS - (Date.now() - startedAt))));
      }
    } catch (error) {
      // Nothing was taken (the statement is atomic): the next tick takes the same changes.
      log("warn", "live event log could not announce changes", { error: errorMessage(error) });
    } finally {
      this.pumping = false;
    }
  }

  // ——— listening (lib/live-log/listen-connection.ts) and reading back ————————————————————————————

  private scheduleIdleClose(): void {
    if (this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.listeners.size === 0) void this.disconnect();
    }, IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  /** Stops announcing and listening on purpose: nothing is missed, since nobody is subscribed. */
  async disconnect(): Promise<void> {
    this.stop();
    await this.connection.disconnect();
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.watching.clear();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.idleTimer = null;
    this.flushTimer = null;
    this.pending.clear();
    for (const resolve of this.listeningWaiters.splice(0)) resolve();
    await this.disconnect();
  }

  private onAnnouncement(payload: string | undefined): void {
    const announcement = parseAnnouncement(payload);
    // Only rows someone here is watching are read back.
    if (!announcement || !this.listeners.has(announcement.org)) return;
    for (const id of announcement.ids) this.pending.add(id);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.flushing) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, FLUSH_DELAY_MS);
  }

  /** Reads the announced rows in one query and fans them out. One read at a time, so a row's later state always arrives last. */
  private async flush(): Promise<void> {
    this.flushing = true;
    const ids = [...this.pending].slice(0, MAX_IDS_PER_READ);
    for (const id of ids) this.pending.delete(id);
    const startedAt = Date.now();
    try {
      const rows = await fetchEventLogRows(ids);
      const at = Date.now();
      const byOrganization = new Map<string, EventLogRow[]>();
      for (const { organizationId, row } of rows) {
        const list = byOrganization.get(organizationId);
        if (list) list.push(row);
        else byOrganization.set(organizationId, [row]);
      }
      for (const [organizationId, list] of byOrganization) this.emit(organizationId, { kind: "rows", rows: list, at });
    } catch (error) {
      log("warn", "live event log could not read announced events", { error: errorMessage(error), count: ids.length });
      // Those rows are lost to this read: every stream catches up from the database instead.
      this.broadcast({ kind: "gap", since: startedAt });
    } finally {
      this.flushing = false;
      if (this.pending.size) this.scheduleFlush();
    }
  }

  private emit(organizationId: string, message: HubMessage): void {
    for (const listener of [...(this.listeners.get(organizationId) ?? [])]) {
      try {
        listener(message);
      } catch (error) {
        log("error", "live event log subscriber failed", { error: errorMessage(error) });
      }
    }
  }

  private broadcast(message: HubMessage): void {
    for (const organizationId of [...this.listeners.keys()]) this.emit(organizationId, message);
  }
}

// On globalThis: the custom server and Next's bundle may each load this module; one connection serves both.
const globalForHub = globalThis as unknown as { hooklineNotifyHub?: NotifyHub };

function hub(): NotifyHub {
  globalForHub.hooklineNotifyHub ??= new NotifyHub(() => {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start Hookline with `npm start`, which provides one");
    return url;
  });
  return globalForHub.hooklineNotifyHub;
}

/** Calls `listener` with the rows of `organizationId`'s events as they are created or change status. */
export function subscribe(organizationId: string, listener: HubListener): Subscription {
  return hub().subscribe(organizationId, listener);
}

export function notifyHubSubscriberCount(): number {
  return globalForHub.hooklineNotifyHub?.subscriberCount ?? 0;
}

/** Drops every subscriber and closes the connection (tests, shutdown). */
export async function closeNotifyHub(): Promise<void> {
  const current = globalForHub.hooklineNotifyHub;
  globalForHub.hooklineNotifyHub = undefined;
  await current?.close();
}
