"use client";

import { X } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { FilterSelect } from "@/components/filter-select";
import { Button } from "@/components/ui/button";

type Option = { value: string; label: string };

/** Connector and tag filters kept in the URL (`?connector=…&tag=…`), so a filtered list can be shared. */
export function InstanceFilters({
  connectors,
  tags,
  connector,
  tag,
}: {
  connectors: Option[];
  tags: string[];
  connector: string;
  tag: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  // The selection is held here so a second change made before the first navigation lands builds on it;
  // it follows the URL again whenever the server sends new values (e.g. after "Show all instances").
  const [selected, setSelected] = useState({ connector, tag });
  const [fromServer, setFromServer] = useState({ connector, tag });
  if (fromServer.connector !== connector || fromServer.tag !== tag) {
    setFromServer({ connector, tag });
    setSelected({ connector, tag });
  }

  const apply = (next: { connector: string; tag: string }) => {
    setSelected(next);
    const params = new URLSearchParams();
    if (next.connector) params.set("connector", next.connector);
    if (next.tag) params.set("tag", next.tag);
    const query = params.toString();
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  };

  return (
    <div className="mb-4 flex flex-wrap items-end gap-3" role="search" aria-label="Filter instances" aria-busy={pending}>
      <FilterSelect
        id="filter-connector"
        label="Connector"
        allLabel="All connectors"
        options={connectors}
        value={selected.connector}
        onChange={(value) => apply({ ...selected, connector: value })}
      />
      <FilterSelect
        id="filter-tag"
        label="Tag"
        allLabel="All tags"
        options={tags.map((value) => ({ value, label: value }))}
        value={selected.tag}
        onChange={(value) => apply({ ...selected, tag: value })}
      />
      {selected.connector || selected.tag ? (
        <Button type="button" variant="ghost" size="sm" onClick={() => apply({ connector: "", tag: "" })}>
          <X aria-hidden /> Clear filters
        </Button>
      ) : null}
    </div>
  );
}
