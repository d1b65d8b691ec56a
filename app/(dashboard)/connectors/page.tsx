import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requireUser } from "@/lib/auth/session";
import { connectors } from "@/lib/connectors";
import { ConnectorGrid } from "./connector-grid";

export const metadata: Metadata = { title: "Connectors" };

export default async function ConnectorsPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Connectors" description="Pick a connector to connect an account and receive its webhook events." />
      <ConnectorGrid connectors={connectors.map(({ key, name, description, aliases, tile, auth }) => ({ key, name, description, aliases, tile, auth }))} />
    </>
  );
}
