import { Boxes } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { EventFilters } from "@/components/events/event-filters";
import { EventLog } from "@/components/events/event-log";
import { EventsChart } from "@/components/events/events-chart";
import { EventsEmptyState } from "@/components/events/events-empty-state";
import { PageHeader } from "@/components/page-header";
import { requireUser } from "@/lib/auth/session";
import { getConnector } from "@/lib/connectors";
import { loadEventLogView } from "@/lib/live-log/query";
import { eventLogFiltersToQuery, hasFilters, parseEventLogFilters } from "@/lib/live-log/schema";
import { listInstances } from "@/lib/instances/service";
import { waitingInstance } from "./waiting-instance";

export const metadata: Metadata = { title: "Events" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EventsPage({ searchParams }: Props) {
  const user = await requireUser();
  const actor = { organizationId: user.organizationId, userId: user.id };
  const filters = parseEventLogFilters(await searchParams);
  const header = <PageHeader title="Events" description="Provider webhooks as they arrive, normalized, with their delivery history." />;

  const instances = await listInstances(actor);
  if (instances.length === 0) {
    return (
      <>
        {header}
        <EmptyState icon={Boxes} title="No instances yet">
          Events arrive through an instance&apos;s webhook URL. Create one from a{" "}
          <Link className="font-medium text-primary underline-offset-4 hover:underline" href="/connectors">
            connector tile
          </Link>
          , then point the provider at it.
        </EmptyState>
      </>
    );
  }

  const { page, stats, renderedAt } = await loadEventLogView(user, filters);
  const query = eventLogFiltersToQuery(filters);

  // Options come from the organization's instances; a value from the URL stays selectable regardless.
  const connectorOptions = new Map<string, string>();
  for (const instance of instances) connectorOptions.set(instance.elementKey, getConnector(instance.elementKey)?.name ?? instance.elementKey);
  if (filters.connector && !connectorOptions.has(filters.connector)) connectorOptions.set(filters.connector, filters.connector);
  const instanceOptions = instances.map((instance) => ({ value: String(instance.id), label: instance.name }));
  if (filters.instance && !instances.some((instance) => instance.id === filters.instance)) {
    instanceOptions.push({ value: String(filters.instance), label: `#${filters.instance}` });
  }

  return (
    <>
      {header}
      <EventsChart initial={stats} className="mb-6" />
      <EventFilters
        filters={filters}
        connectors={[...connectorOptions].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label))}
        instances={instanceOptions.sort((a, b) => a.label.localeCompare(b.label))}
      />
      {page.notice ? (
        <p role="alert" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          {page.notice}
        </p>
      ) : null}
      <EventLog
        // A new set of filters is a new log: fresh rows, a fresh stream.
        key={query}
        initialPage={page}
        query={query}
        status={filters.status}
        renderedAt={renderedAt}
        filtered={hasFilters(filters)}
        clearFiltersHref="/events"
        caption="Events"
        emptyState={<EventsEmptyState instances={instances.filter((instance) => instance.eventsEnabled).map(waitingInstance)} />}
      />
    </>
  );
}
