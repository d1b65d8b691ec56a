"use client";

import { Search, X } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { FilterSelect } from "@/components/filter-select";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import {
  eventLogFiltersToQuery,
  hasFilters,
  LOG_EVENT_TYPES,
  LOG_STATUSES,
  MAX_SEARCH_LENGTH,
  MIN_SEARCH_LENGTH,
  TIME_RANGES,
  type EventLogFilters,
  type LogEventType,
  type LogStatus,
  type TimeRange,
} from "@/lib/live-log/schema";
import { eventTypeLabel } from "./format";

type Option = { value: string; label: string };

const STATUS_LABELS: Record<LogStatus, string> = {
  PENDING: "Pending",
  DELIVERED: "Delivered",
  RETRYING: "Retrying",
  DEAD: "Dead",
  DISABLED: "Disabled",
  DUPLICATE: "Duplicate",
  REJECTED: "Rejected",
};

const SEARCH_DELAY_MS = 500;

/**
 * The filters of /events, kept in the URL (shareable, and they survive a reload). Selects apply at once;
 * the search applies after a pause in typing or on Enter, once it has enough characters for the index.
 */
export function EventFilters({ filters, connectors, instances }: { filters: EventLogFilters; connectors: Option[]; instances: Option[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  // Held here so a change made before the previous navigation lands builds on it; follows the URL otherwise.
  const [selected, setSelected] = useState(filters);
  const [fromServer, setFromServer] = useState(filters);
  const [text, setText] = useState(filters.q ?? "");
  if (eventLogFiltersToQuery(fromServer) !== eventLogFiltersToQuery(filters)) {
    setFromServer(filters);
    setSelected(filters);
    if ((filters.q ?? "") !== text.trim()) setText(filters.q ?? "");
  }
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const apply = (next: EventLogFilters) => {
    clearTimeout(timer.current);
    setSelected(next);
    const query = eventLogFiltersToQuery(next);
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  };

  const searchable = (value: string) => {
    const term = value.trim();
    return term === "" || term.length >= MIN_SEARCH_LENGTH;
  };
  const applyText = (value: string) => {
    const term = value.trim();
    if (!searchable(term) || term === (selected.q ?? "")) return;
    apply({ ...selected, q: term || undefined });
  };
  const onType = (value: string) => {
    setText(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => applyText(value), SEARCH_DELAY_MS);
  };

  const set = <K extends keyof EventLogFilters>(key: K, value: EventLogFilters[K] | undefined) => apply({ ...selected, [key]: value });
  const tooShort = !searchable(text);

  return (
    <form
      role="search"
      aria-label="Filter events"
      aria-busy={pending}
      className="mb-4 grid gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        applyText(text);
      }}
    >
      <div className="grid gap-1.5">
        <label htmlFor="event-search" className="text-xs font-medium text-muted-foreground">
          Search payloads
        </label>
        <div className="relative">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            id="event-search"
            type="search"
            value={text}
            maxLength={MAX_SEARCH_LENGTH}
            placeholder="An e-mail address, an object id, any text inside the provider's payload…"
            aria-describedby={tooShort ? "event-search-hint" : undefined}
            className="pl-9"
            onChange={(event) => onType(event.target.value)}
          />
        </div>
        {tooShort ? (
          <p id="event-search-hint" className="text-xs text-muted-foreground">
            Type at least {MIN_SEARCH_LENGTH} characters.
          </p>
        ) : null}
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <FilterSelect
          id="filter-connector"
          label="Connector"
          allLabel="All connectors"
          options={connectors}
          value={selected.connector ?? ""}
          onChange={(value) => set("connector", value || undefined)}
        />
        <FilterSelect
          id="filter-instance"
          label="Instance"
          allLabel="All instances"
          options={instances}
          value={selected.instance ? String(selected.instance) : ""}
          onChange={(value) => set("instance", value ? Number(value) : undefined)}
        />
        <FilterSelect
          id="filter-type"
          label="Event type"
          allLabel="All types"
          options={LOG_EVENT_TYPES.map((type) => ({ value: type, label: eventTypeLabel(type) }))}
          value={selected.type ?? ""}
          onChange={(value) => set("type", (value || undefined) as LogEventType | undefined)}
        />
        <FilterSelect
          id="filter-status"
          label="Delivery status"
          allLabel="Any status"
          options={LOG_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] }))}
          value={selected.status ?? ""}
          onChange={(value) => set("status", (value || undefined) as LogStatus | undefined)}
        />
        <FilterSelect
          id="filter-range"
          label="Time range"
          allLabel="Any time"
          options={Object.entries(TIME_RANGES).map(([value, range]) => ({ value, label: range.label }))}
          value={selected.range ?? ""}
          onChange={(value) => set("range", (value || undefined) as TimeRange | undefined)}
        />
        {hasFilters(selected) ? (
          <Button
            type="button"
            variant="ghost"
            size="sm"
            className="mb-0.5"
            onClick={() => {
              setText("");
              apply({});
            }}
          >
            <X aria-hidden /> Clear filters
          </Button>
        ) : null}
      </div>
    </form>
  );
}
