"use client";

import { Search } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { ConnectorTileBody } from "@/components/connector-tile";
import { Input } from "@/components/ui/input";
import type { Connector } from "@/lib/connectors/types";

type TileConnector = Pick<Connector, "key" | "name" | "description" | "aliases" | "tile" | "auth">;

export function ConnectorGrid({ connectors }: { connectors: TileConnector[] }) {
  const [query, setQuery] = useState("");
  const needle = query.trim().toLowerCase();
  const shown = connectors.filter((c) =>
    [c.name, c.key, ...c.aliases, c.description].some((text) => text.toLowerCase().includes(needle)),
  );
  return (
    <div className="grid gap-4">
      <div className="relative max-w-sm">
        <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-muted-foreground" aria-hidden />
        <Input
          type="search"
          aria-label="Search connectors"
          placeholder="Search connectors"
          className="pl-9"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </div>
      {shown.length === 0 ? (
        <p className="text-sm text-muted-foreground">No connector matches “{query}”.</p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Connectors">
          {shown.map((connector) => (
            <li key={connector.key}>
              <Link
                href={`/connectors/${connector.key}/new`}
                aria-label={connector.name}
                className="block h-full rounded-lg border bg-card shadow-sm transition-colors hover:border-primary/50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
              >
                <ConnectorTileBody connector={connector} />
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
