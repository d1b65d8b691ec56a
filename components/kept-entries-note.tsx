import { History } from "lucide-react";
import type { ConnectorSpec } from "@/lib/connectors/schema";

/** Above a form restored from a kept authorization: what came back, and that blank secrets are the kept ones. */
export function KeptEntriesNote({ spec, keptSecrets }: { spec: ConnectorSpec; keptSecrets: string[] }) {
  const labels = keptSecrets.map((apiName) => spec.parameters.find((row) => row.apiName === apiName)?.label ?? apiName);
  return (
    <p role="status" className="mb-4 flex gap-2 rounded-md border border-primary/30 bg-primary/5 px-3 py-2 text-sm" data-testid="kept-entries">
      <History className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
      <span>
        Your entries from the last try are back.
        {labels.length ? ` ${labels.join(", ")} ${labels.length === 1 ? "was" : "were"} kept too: not shown, used again if left blank.` : ""}
      </span>
    </p>
  );
}
