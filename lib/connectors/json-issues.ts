import type { z } from "zod";

/*
 * Messages for problems inside a `json` parameter, in the words a person fixes them by: the parameter's
 * label, then where in the JSON (`tickets.datesConfiguration.updatedDateField`), then what is wrong.
 * The API answers them as a 400 keyed by the parameter's API name; the form shows them under the field.
 */

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

const dotted = (path: Path) => path.map(String).join(".");

/**
 * `what` for an issue at `path`: the poller schema's messages already name the last steps of their path
 * (`datesConfiguration.updatedDateField must not be empty`), so only the steps before them are added.
 */
function located(path: Path, what: string): string {
  if (path.length === 0) return what;
  for (let start = 0; start < path.length; start += 1) {
    const tail = dotted(path.slice(start));
    if (what.startsWith(tail) && (what[tail.length] === " " || what[tail.length] === ".")) {
      return start === 0 ? what : `${dotted(path.slice(0, start))}.${what}`;
    }
  }
  return `${dotted(path)}: ${what}`;
}

/** zod's generic wording for the few issues whose own message does not say what to do. */
function plainMessage(issue: Issue, path: Path): string {
  const where = dotted(path);
  if (issue.code === "invalid_type" && issue.input === undefined && path.length > 0) return `${where} is required`;
  if (issue.code === "too_big" && typeof issue.maximum === "number" && issue.origin === "number") {
    return `${where} must be at most ${issue.maximum}`;
  }
  if (issue.code === "too_small" && typeof issue.minimum === "number" && issue.origin === "number") {
    return `${where} must be at least ${issue.minimum}`;
  }
  if (issue.code === "unrecognized_keys" && issue.message.startsWith("Unrecognized key")) {
    return `${where || "the value"} has unknown keys: ${issue.keys.join(", ")}`;
  }
  return located(path, issue.message);
}

/**
 * The issues behind one issue: a union that matched no branch is explained by the branch that came
 * closest (fewest problems), with its paths made whole; others stand for themselves.
 */
function expand(issue: Issue, prefix: Path = []): Array<{ issue: Issue; path: Path }> {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    if (closest.length > 0) return closest.flatMap((inner) => expand(inner, path));
  }
  return [{ issue, path }];
}

/** One message per problem, each starting with `label` (e.g. `Event Poller Configuration: tickets.url must not be empty`). */
export function jsonIssueMessages(label: string, issues: readonly Issue[]): string[] {
  const messages = issues
    .flatMap((issue) => expand(issue))
    .map(({ issue, path }) => {
      const message = plainMessage(issue, path);
      return path.length === 0 && message.startsWith("must ") ? `${label} ${message}` : `${label}: ${message}`;
    });
  return [...new Set(messages)];
}
