import { Activity } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Events" };

export default async function EventsPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Events" description="Provider webhooks as they arrive, normalized, with their delivery history." />
      <EmptyState icon={Activity} title="No events yet">
        Events appear here once an{" "}
        <Link className="font-medium text-primary underline-offset-4 hover:underline" href="/instances">
          instance
        </Link>{" "}
        with events enabled receives its first webhook.
      </EmptyState>
    </>
  );
}
