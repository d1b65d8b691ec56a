"use client";

import { History, LoaderCircle } from "lucide-react";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { pollNowAction } from "@/app/(dashboard)/instances/[id]/actions";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

/**
 * "Poll since": history asked for. Every resource's high-water mark goes back to the start of that day
 * (UTC) and the instance is polled now; changes already reported in the last 72 h are not sent again.
 */
export function PollHistoryForm({ instanceId }: { instanceId: number }) {
  const [day, setDay] = useState("");
  const [pending, startTransition] = useTransition();
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    startTransition(async () => {
      const result = await pollNowAction(instanceId, `${day}T00:00:00Z`);
      if (result.ok) toast.success(`Polling the changes since ${day}`);
      else toast.error(result.message);
    });
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label="Poll history">
      <div className="grid gap-1">
        <Label htmlFor={`poll-since-${instanceId}`}>History since (UTC)</Label>
        <Input
          id={`poll-since-${instanceId}`}
          type="date"
          required
          value={day}
          onChange={(event) => setDay(event.target.value)}
          max={new Date().toISOString().slice(0, 10)}
          className="w-44"
        />
      </div>
      <Button type="submit" variant="outline" disabled={pending || day === ""}>
        {pending ? <LoaderCircle className="animate-spin" aria-hidden /> : <History aria-hidden />} Poll since
      </Button>
    </form>
  );
}
