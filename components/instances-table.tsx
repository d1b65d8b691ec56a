import Link from "next/link";
import { ConnectorMonogram } from "@/components/connector-tile";
import { InstanceStatusBadge } from "@/components/instance-status-badge";
import { Badge } from "@/components/ui/badge";
import { StackedBody, StackedCell, StackedHead, StackedRow, StackedTable } from "@/components/ui/stacked-table";
import type { Connector } from "@/lib/connectors/types";
import { formatExactTime, formatRelativeTime } from "@/lib/format";
import type { InstanceStatus } from "@/lib/generated/prisma/enums";

export type InstanceRow = {
  id: number;
  name: string;
  elementKey: string;
  connector: Pick<Connector, "name" | "tile"> | null;
  eventsEnabled: boolean;
  /** Delivery to the callback URL: PAUSED by the circuit breaker, DISABLED after a 410. */
  delivery: "ACTIVE" | "PAUSED" | "DISABLED";
  status: InstanceStatus;
  tags: string[];
  createdAt: Date;
};

const th = "px-4 py-2.5 text-left text-xs font-medium whitespace-nowrap text-muted-foreground";
const td = "px-4 py-3 align-middle";

export function InstancesTable({ rows, now = new Date() }: { rows: InstanceRow[]; now?: Date }) {
  return (
    <StackedTable caption="Instances" className="rounded-lg border bg-card shadow-sm">
      <StackedHead>
        <th scope="col" className={th}>Name</th>
        <th scope="col" className={th}>Connector</th>
        <th scope="col" className={th}>Events</th>
        <th scope="col" className={th}>Status</th>
        <th scope="col" className={th}>Tags</th>
        <th scope="col" className={th}>Created</th>
      </StackedHead>
      <StackedBody>
        {rows.map((row) => (
          <StackedRow key={row.id} className="transition-colors hover:bg-muted/30">
            <StackedCell label="Name" className={td}>
              <Link href={`/instances/${row.id}`} className="font-medium text-primary underline-offset-4 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
                {row.name}
              </Link>
            </StackedCell>
            <StackedCell label="Connector" className={td}>
              <span className="flex items-center gap-2 whitespace-nowrap">
                {row.connector ? <ConnectorMonogram connector={row.connector} size="sm" /> : null}
                {row.connector?.name ?? row.elementKey}
              </span>
            </StackedCell>
            <StackedCell label="Events" className={td}>
              <span className="flex flex-wrap gap-1">
                {row.eventsEnabled ? <Badge variant="success">On</Badge> : <Badge variant="secondary">Off</Badge>}
                {row.delivery === "PAUSED" ? <Badge variant="warning">Delivery paused</Badge> : null}
                {row.delivery === "DISABLED" ? <Badge variant="warning">Delivery disabled</Badge> : null}
              </span>
            </StackedCell>
            <StackedCell label="Status" className={`${td} whitespace-nowrap`}>
              <InstanceStatusBadge status={row.status} />
            </StackedCell>
            <StackedCell label="Tags" className={td}>
              {row.tags.length ? (
                <span className="flex flex-wrap gap-1">
                  {row.tags.map((tag) => (
                    <Badge key={tag} variant="outline">{tag}</Badge>
                  ))}
                </span>
              ) : (
                <span className="text-muted-foreground" aria-label="No tags">—</span>
              )}
            </StackedCell>
            <StackedCell label="Created" className={`${td} whitespace-nowrap text-muted-foreground`}>
              <time dateTime={row.createdAt.toISOString()} title={formatExactTime(row.createdAt)}>
                {formatRelativeTime(row.createdAt, now)}
              </time>
            </StackedCell>
          </StackedRow>
        ))}
      </StackedBody>
    </StackedTable>
  );
}
