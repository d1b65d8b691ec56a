/** The last `lines` lines of a server's log: what a failing test run prints of it. */
export function logTail(text: string, lines = 80): string {
  return text.split("\n").slice(-lines).join("\n");
}
