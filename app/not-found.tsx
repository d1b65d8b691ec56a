import { SearchX } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { StatusPage } from "@/components/status-page";
import { Button } from "@/components/ui/button";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <StatusPage
      icon={SearchX}
      code="404"
      title="This page could not be found"
      actions={
        <>
          <Button asChild>
            <Link href="/">Back to the Overview</Link>
          </Button>
          <Button asChild variant="outline">
            <Link href="/instances">Instances</Link>
          </Button>
          <Button asChild variant="ghost">
            <Link href="/events">Event log</Link>
          </Button>
        </>
      }
    >
      The address may be mistyped, or what it pointed to was deleted or belongs to another organization.
    </StatusPage>
  );
}
