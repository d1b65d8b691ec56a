import { Boxes, Plus, SearchX } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { InstanceFilters } from "@/components/instance-filters";
import { InstancesTable, type InstanceRow } from "@/components/instances-table";
import { PageHeader } from "@/components/page-header";
import { Button } from "@/components/ui/button";
import { requireUser } from "@/lib/auth/session";
import { getConnector } from "@/lib/connectors";
import type { Instance } from "@/lib/generated/prisma/client";
import { deliveryState, laneStates, type DeliveryState } from "@/lib/delivery/lanes";
import { listInstances } from "@/lib/instances/service";

export const metadata: Metadata = { title: "Instances" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function single(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim().slice(0, 200) ?? "";
}

function toRow(instance: Instance, lanes: Map<number, DeliveryState>): InstanceRow {
  const connector = getConnector(instance.elementKey);
  return {
    id: instance.id,
    name: instance.name,
    elementKey: instance.elementKey,
    connector: connector ? { name: connector.name, tile: connector.tile } : null,
    eventsEnabled: instance.eventsEnabled,
    delivery: deliveryState(lanes.get(instance.id), instance.deliveryDisabledAt).state,
    status: instance.status,
    tags: instance.tags,
    createdAt: instance.createdAt,
  };
}

export default async function InstancesPage({ searchParams }: Props) {
  const user = await requireUser();
  const actor = { organizationId: user.organizationId, userId: user.id };
  const query = await searchParams;
  const connector = single(query.connector);
  const tag = single(query.tag);
  const filtered = Boolean(connector || tag);

  const all = await listInstances(actor);
  const shown = filtered ? await listInstances(actor, { elementKey: connector || undefined, tag: tag || undefined }) : all;
  const lanes = await laneStates(shown.map((instance) => instance.id));

  const header = (
    <PageHeader
      title="Instances"
      description="Connected accounts, each with its own webhook URL and token."
      actions={
        all.length > 0 ? (
          <Button asChild>
            <Link href="/connectors">
              <Plus aria-hidden /> New instance
            </Link>
          </Button>
        ) : null
      }
    />
  );

  if (all.length === 0) {
    return (
      <>
        {header}
        <EmptyState icon={Boxes} title="No instances yet">
          Create one from a{" "}
          <Link className="font-medium text-primary underline-offset-4 hover:underline" href="/connectors">
            connector tile
          </Link>
          .
        </EmptyState>
      </>
    );
  }

  // Options come from the data; a value from the URL stays selectable even when nothing has it.
  const connectorOptions = new Map<string, string>();
  for (const instance of all) connectorOptions.set(instance.elementKey, getConnector(instance.elementKey)?.name ?? instance.elementKey);
  if (connector && !connectorOptions.has(connector)) connectorOptions.set(connector, getConnector(connector)?.name ?? connector);
  const tagOptions = new Set(all.flatMap((instance) => instance.tags));
  if (tag) tagOptions.add(tag);

  return (
    <>
      {header}
      <InstanceFilters
        connectors={[...connectorOptions].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label))}
        tags={[...tagOptions].sort((a, b) => a.localeCompare(b))}
        connector={connector}
        tag={tag}
      />
      {shown.length === 0 ? (
        <EmptyState icon={SearchX} title="No instance matches">
          Nothing has{" "}
          {[connector && `connector ${getConnector(connector)?.name ?? connector}`, tag && `tag “${tag}”`].filter(Boolean).join(" and ")}.{" "}
          <Link className="font-medium text-primary underline-offset-4 hover:underline" href="/instances">
            Show all instances
          </Link>
          .
        </EmptyState>
      ) : (
        <InstancesTable rows={shown.map((instance) => toRow(instance, lanes))} />
      )}
    </>
  );
}
