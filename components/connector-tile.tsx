import { Badge } from "@/components/ui/badge";
import type { Connector } from "@/lib/connectors/types";

export function ConnectorMonogram({ connector, size = "md" }: { connector: Pick<Connector, "tile" | "name">; size?: "sm" | "md" }) {
  return (
    <span
      aria-hidden
      className={size === "sm" ? "flex size-6 items-center justify-center rounded text-[10px] font-bold text-white" : "flex size-10 items-center justify-center rounded-lg text-sm font-bold text-white"}
      style={{ backgroundColor: connector.tile.color }}
    >
      {connector.tile.monogram}
    </span>
  );
}

export function ConnectorTileBody({ connector }: { connector: Pick<Connector, "key" | "name" | "description" | "tile" | "auth"> }) {
  return (
    <div className="flex h-full flex-col gap-3 p-5">
      <div className="flex items-center gap-3">
        <ConnectorMonogram connector={connector} />
        <div className="min-w-0">
          <h2 className="truncate font-semibold">{connector.name}</h2>
          <p className="font-mono text-xs text-muted-foreground">{connector.key}</p>
        </div>
      </div>
      <p className="line-clamp-2 text-sm text-muted-foreground">{connector.description}</p>
      <div className="mt-auto flex gap-2">
        <Badge variant="secondary">{connector.auth.type === "oauth2" ? "OAuth 2.0" : "Credentials"}</Badge>
        <Badge>events</Badge>
      </div>
    </div>
  );
}
