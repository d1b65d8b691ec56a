"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Switch } from "@/components/ui/switch";
import { setEventsEnabledAction } from "./actions";

/** Turns event forwarding on or off; a refusal (e.g. no callback URL yet) is toasted and the switch stays put. */
export function EventsSwitch({ instanceId, enabled }: { instanceId: number; enabled: boolean }) {
  const [checked, setChecked] = useState(enabled);
  const [pending, startTransition] = useTransition();

  const change = (next: boolean) => {
    setChecked(next);
    startTransition(async () => {
      const result = await setEventsEnabledAction(instanceId, next);
      if (!result.ok) {
        setChecked(!next);
        toast.error(result.message);
        return;
      }
      setChecked(result.data.eventsEnabled);
      toast.success(result.data.eventsEnabled ? "Events enabled" : "Events disabled");
    });
  };

  return (
    <div className="flex items-center gap-3">
      <Switch checked={checked} onCheckedChange={change} disabled={pending} aria-label="Events enabled" />
      <span className="text-sm font-medium" aria-hidden>
        {checked ? "On" : "Off"}
      </span>
    </div>
  );
}
