import { EventLog } from "@/components/events/event-log";
import { EventsChart } from "@/components/events/events-chart";
import { EventsEmptyState } from "@/components/events/events-empty-state";
import { SendTestEventButton } from "@/components/events/send-test-event-button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { eventLogFiltersToQuery } from "@/lib/live-log/schema";
import { loadEventLogView } from "@/lib/live-log/query";
import type { Instance } from "@/lib/generated/prisma/client";
import { waitingInstance } from "../../events/waiting-instance";

/** The instance page's event log: the same live table as /events, fixed to this instance, with its chart. */
export async function InstanceEventLog({ instance, userId }: { instance: Instance; userId: string }) {
  const filters = { instance: instance.id };
  const { page, stats, renderedAt } = await loadEventLogView({ id: userId, organizationId: instance.organizationId }, filters, {
    statsInstanceId: instance.id,
  });
  const query = eventLogFiltersToQuery(filters);
  return (
    <Card id="event-log">
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1.5">
          <CardTitle>Event log</CardTitle>
          <CardDescription>This instance&apos;s events as they arrive, with their delivery attempts.</CardDescription>
        </div>
        <SendTestEventButton instanceId={instance.id} />
      </CardHeader>
      <CardContent className="grid gap-4">
        <EventsChart initial={stats} instanceId={instance.id} />
        <EventLog
          initialPage={page}
          query={query}
          renderedAt={renderedAt}
          filtered={false}
          caption={`Events of ${instance.name}`}
          showInstance={false}
          emptyState={<EventsEmptyState instances={[waitingInstance(instance)]} single />}
        />
      </CardContent>
    </Card>
  );
}
