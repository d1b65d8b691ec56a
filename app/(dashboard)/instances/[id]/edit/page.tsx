import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { ConnectorMonogram } from "@/components/connector-tile";
import { InstanceForm } from "@/components/instance-form";
import { PageHeader } from "@/components/page-header";
import { Card, CardContent } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/session";
import { connectorSpec, editFormDefaults } from "@/lib/forms/instance-form.server";
import { loadInstance } from "../load-instance";
import { updateInstanceAction } from "./actions";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { instance } = await loadInstance(await requireUser(), (await params).id);
  return { title: `Edit ${instance.name}` };
}

export default async function EditInstancePage({ params }: Props) {
  const user = await requireUser();
  const { instance, connector } = await loadInstance(user, (await params).id);

  return (
    <>
      <Link
        href={`/instances/${instance.id}`}
        className="mb-4 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground"
      >
        <ArrowLeft className="size-4" aria-hidden /> {instance.name}
      </Link>
      <PageHeader
        title={`Edit ${instance.name}`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <ConnectorMonogram connector={connector} size="sm" />
            <span>{connector.name} instance. Secrets are not shown: leave a secret blank to keep it.</span>
          </span>
        }
      />
      <Card className="max-w-3xl">
        <CardContent className="pt-5">
          <InstanceForm
            spec={connectorSpec(connector)}
            mode="update"
            defaultValues={editFormDefaults(connector, instance)}
            action={updateInstanceAction.bind(null, instance.id)}
            submitLabel="Save changes"
            pendingLabel="Saving…"
            successMessage="Instance saved"
            cancelHref={`/instances/${instance.id}`}
          />
        </CardContent>
      </Card>
    </>
  );
}
