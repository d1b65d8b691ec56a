import type { ComponentProps, ReactNode } from "react";
import { cn } from "@/lib/utils";

/*
 * A table that is a normal table from `sm` up and, below it, a list of rows stacked as blocks: the
 * column headers fold away and every cell shows its column's name (its `label`) beside its value.
 * The table's roles are set explicitly, so assistive technology still reads a table when CSS turns
 * its parts into blocks.
 */

export function StackedTable({ caption, className, children }: { caption: string; className?: string; children: ReactNode }) {
  return (
    <div className={cn("overflow-x-auto", className)}>
      <table role="table" className="w-full text-sm max-sm:block">
        <caption className="sr-only">{caption}</caption>
        {children}
      </table>
    </div>
  );
}

/** The header row: shown from `sm` up only (each stacked cell names its column itself). */
export function StackedHead({ className, children }: { className?: string; children: ReactNode }) {
  return (
    <thead role="rowgroup" className={cn("border-b bg-muted/40 max-sm:hidden", className)}>
      <tr role="row">{children}</tr>
    </thead>
  );
}

export function StackedBody({ className, ...props }: ComponentProps<"tbody">) {
  return <tbody role="rowgroup" className={cn("divide-y max-sm:block", className)} {...props} />;
}

/** A row; below `sm`, a block of label/value lines. */
export function StackedRow({ className, ...props }: ComponentProps<"tr">) {
  return <tr role="row" className={cn("max-sm:grid max-sm:gap-1.5 max-sm:px-4 max-sm:py-3", className)} {...props} />;
}

/** A cell; below `sm`, one line: its column's name, then its value (which may wrap). */
export function StackedCell({ label, className, ...props }: ComponentProps<"td"> & { label: string }) {
  return (
    <td
      role="cell"
      data-label={label}
      className={cn(
        "max-sm:flex max-sm:min-w-0 max-sm:items-baseline max-sm:gap-3 max-sm:p-0 max-sm:text-left max-sm:whitespace-normal max-sm:wrap-anywhere",
        "max-sm:before:w-24 max-sm:before:shrink-0 max-sm:before:font-sans max-sm:before:text-xs max-sm:before:font-medium max-sm:before:text-muted-foreground max-sm:before:content-[attr(data-label)]",
        "max-sm:*:min-w-0",
        className,
      )}
      {...props}
    />
  );
}

/** A row's header cell (the row's name); below `sm`, the block's title line. */
export function StackedRowHeader({ className, ...props }: ComponentProps<"th">) {
  return <th role="rowheader" scope="row" className={cn("max-sm:block max-sm:p-0", className)} {...props} />;
}
