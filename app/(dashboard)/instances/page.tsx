import { Boxes } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Instances" };

export default async function InstancesPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Instances" description="Connected accounts, each with its own webhook URL and token." />
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
