import type { Metadata } from "next";
import { AttentionList } from "@/components/overview/attention-list";
import { GettingStarted } from "@/components/overview/getting-started";
import { InstanceStates } from "@/components/overview/instance-states";
import { TrafficSummary } from "@/components/overview/traffic-summary";
import { PageHeader } from "@/components/page-header";
import { requireUser } from "@/lib/auth/session";
import { connectors } from "@/lib/connectors";
import { loadOverview } from "@/lib/overview/query";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const user = await requireUser();
  const overview = await loadOverview({ organizationId: user.organizationId });
  const welcome = `Welcome${user.name ? `, ${user.name}` : ""}.`;
  if (overview.instances.total === 0) {
    return (
      <>
        <PageHeader title="Overview" description={`${welcome} ${connectors.length} connectors are available; start with these steps.`} />
        <GettingStarted />
      </>
    );
  }
  return (
    <>
      <PageHeader title="Overview" description={welcome} />
      <div className="grid gap-4 lg:grid-cols-3">
        <InstanceStates counts={overview.instances} />
        <TrafficSummary traffic={overview.traffic} />
        <AttentionList items={overview.attention} />
      </div>
    </>
  );
}
