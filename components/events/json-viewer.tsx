import type { ReactNode } from "react";
import { cn } from "@/lib/utils";

/**
 * Pretty-printed JSON with folding: every object and array is a <details> (open down to `openDepth`),
 * so it folds by mouse or keyboard with no script. Long collections show their first MAX_ITEMS entries.
 */

const MAX_ITEMS = 500;

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="text-muted-foreground">null</span>;
  if (typeof value === "string") return <span className="break-all text-success">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span className="text-primary">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="text-warning">{String(value)}</span>;
  return <span className="text-muted-foreground">{JSON.stringify(value) ?? "undefined"}</span>;
}

function Key({ name }: { name: string | number | null }) {
  if (name === null) return null;
  return typeof name === "number" ? null : <span className="text-foreground">{JSON.stringify(name)}: </span>;
}

function Node({ name, value, depth, openDepth, last }: { name: string | number | null; value: unknown; depth: number; openDepth: number; last: boolean }): ReactNode {
  const comma = last ? "" : ",";
  if (typeof value !== "object" || value === null) {
    return (
      <div>
        <Key name={name} />
        <Scalar value={value} />
        {comma}
      </div>
    );
  }
  const isArray = Array.isArray(value);
  const entries: [string | number, unknown][] = isArray ? value.map((item, index) => [index, item]) : Object.entries(value);
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    return (
      <div>
        <Key name={name} />
        {open}
        {close}
        {comma}
      </div>
    );
  }
  const shown = entries.slice(0, MAX_ITEMS);
  return (
    <details open={depth < openDepth}>
      <summary className="cursor-pointer list-none rounded-sm marker:hidden hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring [&::-webkit-details-marker]:hidden">
        <span aria-hidden className="inline-block w-3 text-muted-foreground transition-transform [details[open]>summary>&]:rotate-90">›</span>
        <Key name={name} />
        {open}
        <span className="text-muted-foreground [details[open]>summary>&]:hidden">
          {" "}
          {entries.length} {isArray ? (entries.length === 1 ? "item" : "items") : entries.length === 1 ? "key" : "keys"} {close}
          {comma}
        </span>
      </summary>
      <div className="ml-[0.3rem] border-l pl-3">
        {shown.map(([key, item], index) => (
          <Node key={key} name={key} value={item} depth={depth + 1} openDepth={openDepth} last={index === entries.length - 1} />
        ))}
        {entries.length > shown.length ? <div className="text-muted-foreground">… {entries.length - shown.length} more</div> : null}
      </div>
      <div className="pl-3">
        {close}
        {comma}
      </div>
    </details>
  );
}

export function JsonViewer({ value, openDepth = 3, className, label }: { value: unknown; openDepth?: number; className?: string; label: string }) {
  return (
    <div role="group" aria-label={label} className={cn("overflow-x-auto rounded-md border bg-muted/30 p-3 font-mono text-xs leading-5", className)}>
      <Node name={null} value={value} depth={0} openDepth={openDepth} last />
    </div>
  );
}
