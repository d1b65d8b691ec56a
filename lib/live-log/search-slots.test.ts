import os from "node:os";
import { afterEach, beforeEach, expect, it } from "vitest";
import { resetEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { maxSearches, SEARCHES_BUSY, TOO_MANY_SEARCHES, withSearchSlot } from "@/lib/live-log/search-slots";

/** A search that runs until `finish()`; `started` tells whether it got past the gates. */
function heldSearch() {
  let finish!: (value: string) => void;
  const state = { started: false };
  const result = new Promise<string>((resolve) => (finish = resolve));
  return { state, finish, run: () => ((state.started = true), result) };
}

const saved = { ...process.env };
beforeEach(() => {
  process.env.HOOKLINE_MAX_SEARCHES = "1";
  process.env.HOOKLINE_READ_QUEUE_TIMEOUT_MS = "150";
  resetEnv();
});
afterEach(() => {
  process.env = { ...saved };
  resetEnv();
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

it("runs at most HOOKLINE_MAX_SEARCHES searches at once for all users; the next waits its turn", async () => {
  const a = heldSearch();
  const b = heldSearch();
  const first = withSearchSlot("alice", a.run);
  const second = withSearchSlot("bob", b.run);
  await tick();
  expect([a.state.started, b.state.started]).toEqual([true, false]);
  a.finish("a");
  expect(await first).toBe("a");
  await tick();
  expect(b.state.started).toBe(true);
  b.finish("b");
  expect(await second).toBe("b");
});

it("refuses with a 429 and a message once the wait passes the read queue timeout, and frees nothing it did not take", async () => {
  const a = heldSearch();
  const first = withSearchSlot("alice", a.run);
  const started = Date.now();
  const refused = await withSearchSlot("bob", async () => "never").catch((error: unknown) => error);
  expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  expect(refused).toBeInstanceOf(AppError);
  expect(refused).toMatchObject({ status: 429, message: SEARCHES_BUSY });
  // Alice's search still holds the only slot: a third one waits, and runs once hers is done.
  const c = heldSearch();
  const third = withSearchSlot("carol", c.run);
  await tick();
  expect(c.state.started).toBe(false);
  a.finish("a");
  await first;
  await tick();
  expect(c.state.started).toBe(true);
  c.finish("c");
  expect(await third).toBe("c");
});

it("gives the slot back when a search fails, and keeps the per-user limit of 2 in front of the line", async () => {
  process.env.HOOKLINE_MAX_SEARCHES = "5";
  resetEnv();
  await expect(withSearchSlot("alice", () => Promise.reject(new Error("timed out")))).rejects.toThrow("timed out");
  const held = [heldSearch(), heldSearch()];
  const running = held.map((h) => withSearchSlot("alice", h.run));
  await expect(withSearchSlot("alice", async () => "third")).rejects.toMatchObject({ status: 429, message: TOO_MANY_SEARCHES });
  for (const h of held) h.finish("done");
  await Promise.all(running);
  expect(await withSearchSlot("alice", async () => "again")).toBe("again");
});

it("defaults to one fewer than the cores, at least 1", () => {
  delete process.env.HOOKLINE_MAX_SEARCHES;
  resetEnv();
  expect(maxSearches()).toBe(Math.max(1, os.availableParallelism() - 1));
});
