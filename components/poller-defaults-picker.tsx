"use client";

import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import type { PollerConfiguration } from "@/lib/polling/config";

/**
 * The connector's default poller resources as a starting point for `event.poller.configuration`: one
 * checkbox per resource (all checked at first) and a button that hands the checked ones, as pretty JSON,
 * to `onUse` (which fills the textarea). Nothing is written until the button is pressed, so an empty
 * textarea keeps meaning "the connector's defaults".
 */
export function PollerDefaultsPicker({
  defaults,
  onUse,
}: {
  defaults: PollerConfiguration;
  onUse: (json: string) => void;
}) {
  const names = Object.keys(defaults);
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set(names));
  const legendId = useId();
  if (names.length === 0) return null;

  const toggle = (name: string, checked: boolean) => {
    const next = new Set(selected);
    if (checked) next.add(name);
    else next.delete(name);
    setSelected(next);
  };
  const use = () => {
    const picked = Object.fromEntries(names.filter((name) => selected.has(name)).map((name) => [name, defaults[name]]));
    onUse(JSON.stringify(picked, null, 2));
  };

  return (
    <fieldset className="grid gap-2 rounded-md border bg-card/50 px-3 py-2" aria-labelledby={legendId}>
      <legend id={legendId} className="px-1 text-xs font-medium text-muted-foreground">
        Connector defaults
      </legend>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1.5">
        {names.map((name) => (
          <label key={name} className="inline-flex items-center gap-1.5 text-sm">
            <input
              type="checkbox"
              className="size-4 accent-primary"
              checked={selected.has(name)}
              onChange={(event) => toggle(name, event.target.checked)}
            />
            <span className="font-mono text-xs">{name}</span>
          </label>
        ))}
        <Button type="button" variant="outline" size="sm" className="ml-auto" disabled={selected.size === 0} onClick={use}>
          Use these defaults
        </Button>
      </div>
    </fieldset>
  );
}
