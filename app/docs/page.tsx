import type { Metadata } from "next";
import Link from "next/link";
import { ConnectorMonogram } from "@/components/connector-tile";
import { Logo } from "@/components/logo";
import { ParameterDescription } from "@/components/docs/parameter-description";
import { Badge } from "@/components/ui/badge";
import { StackedBody, StackedCell, StackedHead, StackedRow, StackedTable } from "@/components/ui/stacked-table";
import { openApiDocument } from "@/lib/api/openapi";
import { connectors } from "@/lib/connectors";
import { publicUrl } from "@/lib/env";
import { VerifyingDeliveries } from "./verifying-deliveries";

export const metadata: Metadata = { title: "API documentation" };
export const dynamic = "force-dynamic";

/** Every operation of the OpenAPI document (lib/api/openapi.ts), which a test checks against the route files. */
function endpoints(base: string): [method: string, path: string, summary: string][] {
  return Object.entries(openApiDocument(base).paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, unknown>).flatMap(([method, operation]) =>
      method === "parameters" ? [] : [[method.toUpperCase(), path, (operation as { summary?: string }).summary ?? ""] as [string, string, string]],
    ),
  );
}

const th = "py-2 pr-3 text-left text-xs font-medium text-muted-foreground";

/** The REST API and every connector's Parameters table, generated from the catalog. */
export default function DocsPage() {
  const base = `${publicUrl()}/elements/api-v2`;
  return (
    <main className="mx-auto max-w-5xl p-6 wrap-anywhere md:p-10">
      <div className="mb-8 flex items-center justify-between">
        <Logo />
        <Link href="/" className="text-sm text-primary underline-offset-4 hover:underline">
          Console
        </Link>
      </div>
      <h1 className="text-3xl font-semibold tracking-tight">API documentation</h1>
      <p className="mt-2 text-muted-foreground">
        Base URL <code className="rounded bg-muted px-1">{base}</code>. Every request carries{" "}
        <code className="rounded bg-muted px-1">Authorization: User &lt;user secret&gt;, Organization &lt;organization secret&gt;</code>{" "}
        (from Settings); add <code className="rounded bg-muted px-1">, Element &lt;instance token&gt;</code> to act on one
        instance. Machine-readable: <a className="text-primary underline" href="/elements/api-v2/openapi.json">openapi.json</a> (OpenAPI 3.1).
      </p>

      <h2 className="mt-10 mb-3 text-xl font-semibold">Endpoints</h2>
      <StackedTable caption="Endpoints">
        <StackedHead className="bg-transparent">
          <th scope="col" className={th}>Method</th>
          <th scope="col" className={th}>Path</th>
          <th scope="col" className={th}>What it does</th>
        </StackedHead>
        <StackedBody>
          {endpoints(publicUrl()).map(([method, path, text]) => (
            <StackedRow key={`${method} ${path}`} className="align-top max-sm:px-0">
              <StackedCell label="Method" className="py-2 pr-3 font-mono text-xs font-semibold">{method}</StackedCell>
              <StackedCell label="Path" className="py-2 pr-3 font-mono text-xs">{path}</StackedCell>
              <StackedCell label="What it does" className="py-2 text-muted-foreground">{text}</StackedCell>
            </StackedRow>
          ))}
        </StackedBody>
      </StackedTable>
      <p className="mt-3 text-sm text-muted-foreground">
        Errors are JSON <code>{"{ message, fieldErrors }"}</code>: 400 names the API names at fault, 401 a missing or wrong
        header, 404 an unknown instance (or another organization&apos;s), 413 a body over 1 MB, 415 a body that is not JSON.
        A save is refused before anything is stored when a callback or ConnectWise Server URL points where deliveries may not
        go (400, on the field), when ConnectWise refuses the credentials (400, with its answer) or cannot be reached (502).
      </p>

      <VerifyingDeliveries />

      <h2 className="mt-10 mb-3 text-xl font-semibold">Connectors</h2>
      {connectors.map((connector) => (
        <section key={connector.key} id={connector.key} className="mb-10">
          <h3 className="mb-1 flex items-center gap-2 text-lg font-semibold">
            <ConnectorMonogram connector={connector} size="sm" /> {connector.name}
            <code className="text-sm font-normal text-muted-foreground">{[connector.key, ...connector.aliases].join(" · ")}</code>
            <Badge variant="secondary">{connector.auth.type === "oauth2" ? "OAuth 2.0" : "Credentials"}</Badge>
          </h3>
          <p className="mb-3 text-sm text-muted-foreground">{connector.description}</p>
          <StackedTable caption={`${connector.name} parameters`}>
            <StackedHead className="bg-transparent">
              <th scope="col" className={th}>Parameter</th>
              <th scope="col" className={th}>Description</th>
              <th scope="col" className={th}>Data type</th>
            </StackedHead>
            <StackedBody>
              {connector.parameters.map((row) => (
                <StackedRow key={row.apiName} className="align-top max-sm:px-0">
                  <StackedCell label="Parameter" className="py-2 pr-3">
                    <div>
                      <div className="font-medium">{row.label}</div>
                      <code className="text-xs text-muted-foreground">{row.apiName}</code>
                      {row.aliases?.length ? <div className="text-xs text-muted-foreground">also {row.aliases.join(", ")}</div> : null}
                    </div>
                  </StackedCell>
                  <StackedCell label="Description" className="py-2 pr-3">
                    <div>
                      <ParameterDescription row={row} />
                    </div>
                  </StackedCell>
                  <StackedCell label="Data type" className="py-2">{row.type}</StackedCell>
                </StackedRow>
              ))}
            </StackedBody>
          </StackedTable>
          {connector.events.manualSetup ? (
            <ol className="mt-3 list-decimal pl-6 text-sm text-muted-foreground">
              {connector.events.manualSetup.map((step) => (
                <li key={step}>{step}</li>
              ))}
            </ol>
          ) : null}
        </section>
      ))}
    </main>
  );
}
