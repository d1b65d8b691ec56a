import { Radio } from "lucide-react";
import Link from "next/link";
import { CopyButton } from "@/components/copy-button";
import { SendTestEventButton } from "./send-test-event-button";

export type WaitingInstance = {
  id: number;
  name: string;
  webhookUrl: string;
  eventsEnabled: boolean;
  connector: { name: string; monogram: string; color: string };
};

const SHOWN = 5;

/**
 * What an empty log teaches: where the provider must send its webhooks (the URL to copy) and how to
 * check the receiver without waiting for the provider (a test event).
 */
export function EventsEmptyState({ instances, single = false }: { instances: WaitingInstance[]; single?: boolean }) {
  const shown = instances.slice(0, SHOWN);
  return (
    <div className="grid gap-4 rounded-lg border border-dashed bg-card px-6 py-8">
      <div className="flex flex-col items-center gap-2 text-center">
        <Radio className="size-8 text-muted-foreground" aria-hidden />
        <h2 className="text-base font-semibold">Waiting for the first webhook</h2>
        <p className="max-w-lg text-sm text-muted-foreground">
          Paste {single ? "this instance's" : "an instance's"} webhook URL into the provider&apos;s webhook settings, or send a
          test event to check your callback URL now. Events show up here the moment they arrive.
        </p>
      </div>
      {shown.length === 0 ? (
        <p className="text-center text-sm text-muted-foreground">
          No instance forwards events yet: turn on <span className="font-medium text-foreground">Forward events</span> on one of your{" "}
          <Link className="font-medium text-primary underline-offset-4 hover:underline" href="/instances">
            instances
          </Link>
          .
        </p>
      ) : (
        <ul className="mx-auto grid w-full max-w-3xl gap-3" aria-label="Webhook URLs">
          {shown.map((instance) => (
            <li key={instance.id} className="grid gap-2 rounded-md border bg-background/50 p-3">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span className="flex min-w-0 items-center gap-2 text-sm font-medium">
                  <span
                    aria-hidden
                    className="flex size-6 shrink-0 items-center justify-center rounded text-[10px] font-bold text-white"
                    style={{ backgroundColor: instance.connector.color }}
                  >
                    {instance.connector.monogram}
                  </span>
                  {single ? instance.connector.name : (
                    <Link className="truncate text-primary underline-offset-4 hover:underline" href={`/instances/${instance.id}`}>
                      {instance.name}
                    </Link>
                  )}
                </span>
                <SendTestEventButton instanceId={instance.id} />
              </div>
              <div className="flex flex-wrap items-center gap-2">
                <label htmlFor={`webhook-url-${instance.id}`} className="sr-only">
                  Webhook URL of {instance.name}
                </label>
                <input
                  id={`webhook-url-${instance.id}`}
                  readOnly
                  value={instance.webhookUrl}
                  className="h-8 min-w-0 flex-1 rounded-md border bg-muted px-2 font-mono text-xs"
                />
                <CopyButton text={instance.webhookUrl} label="Copy webhook URL" />
              </div>
              {!instance.eventsEnabled ? (
                <p className="text-xs text-muted-foreground">
                  Forward events is off for this instance: the URL answers 404 until it is turned on.
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
