"use client";

import { LoaderCircle, RotateCw, X } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useRef, useState, useTransition, type ReactNode } from "react";
import { toast } from "sonner";
import { curlForEventAction, eventDetailAction, redeliverEventAction } from "@/app/(dashboard)/events/actions";
import { CopyButton } from "@/components/copy-button";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { notDeliverable } from "@/lib/events/schema";
import type { BodyView, EventLogDetail, EventLogRow } from "@/lib/live-log/schema";
import { formatExactTime } from "@/lib/format";
import { AttemptsTimeline } from "./attempts-timeline";
import { EventSourceBadge } from "./event-source-badge";
import { EventStatusBadge } from "./event-status-badge";
import { eventTypeLabel } from "./format";
import { JsonViewer } from "./json-viewer";

function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="grid gap-2">
      <div className="flex items-center justify-between gap-2">
        <h3 id={id} className="text-sm font-semibold">
          {title}
        </h3>
        {actions}
      </div>
      {children}
    </section>
  );
}

function FieldTable({ rows, caption }: { rows: [string, string][]; caption: string }) {
  return (
    <div className="overflow-x-auto rounded-md border">
      <table className="w-full text-xs">
        <caption className="sr-only">{caption}</caption>
        <tbody className="divide-y">
          {rows.map(([name, value], index) => (
            <tr key={`${name}-${index}`}>
              <th scope="row" className="w-2/5 bg-muted/30 px-3 py-1.5 text-left align-top font-mono font-medium break-all">
                {name}
              </th>
              <td className="px-3 py-1.5 font-mono break-all whitespace-pre-wrap">{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RawBody({ body }: { body: BodyView }) {
  switch (body.kind) {
    case "empty":
      return <p className="text-sm text-muted-foreground">The request had an empty body.</p>;
    case "json":
      return <JsonViewer value={body.value} label="Raw body" className="max-h-96 overflow-y-auto" />;
    case "form":
      return body.fields.length ? <FieldTable rows={body.fields} caption="Form fields" /> : <p className="text-sm text-muted-foreground">No form fields.</p>;
    case "text":
      return (
        <pre aria-label="Raw body" className="max-h-96 overflow-auto rounded-md border bg-muted/30 p-3 font-mono text-xs whitespace-pre-wrap break-all">
          {body.text}
          {body.truncated ? "\n… (cut at 64 KB)" : ""}
        </pre>
      );
    case "binary":
      return (
        <div className="grid gap-1">
          <p className="text-sm text-muted-foreground">{body.bytes} bytes that are not UTF-8 text; the first ones in hex:</p>
          <pre className="overflow-auto rounded-md border bg-muted/30 p-3 font-mono text-xs break-all whitespace-pre-wrap">{body.hexPreview}</pre>
        </div>
      );
  }
}

function rawCopyText(detail: EventLogDetail): string | null {
  const body = detail.request?.body;
  if (!body) return detail.notificationRaw === null ? null : JSON.stringify(detail.notificationRaw, null, 2);
  if (body.kind === "json") return JSON.stringify(body.value, null, 2);
  if (body.kind === "form" || body.kind === "text") return body.text;
  return null;
}

async function curlText(id: string): Promise<string | null> {
  const result = await curlForEventAction(id);
  if (result.ok) return result.data.curl;
  toast.error(result.message);
  return null;
}

/**
 * The side panel of one event: an accessible modal <dialog> (Esc or the backdrop closes it; the log
 * returns focus to the row). It reloads whenever the row's status or attempt count changes, so a new
 * attempt appears in the timeline as soon as the stream reports it.
 */
export function EventPanel({ row, now, onClose }: { row: EventLogRow; now: Date; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [detail, setDetail] = useState<EventLogDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [redelivering, startRedeliver] = useTransition();
  const [reloads, setReloads] = useState(0);
  const titleId = useId();

  // Opened once mounted; closing (Esc, the button, the backdrop) tells the log, which unmounts the panel.
  // No close() on unmount: its "close" event would reach the log after a Strict Mode remount.
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  useEffect(() => {
    let cancelled = false;
    void eventDetailAction(row.id).then((result) => {
      if (cancelled) return;
      if (result.ok) {
        setDetail(result.data);
        setError(null);
      } else setError(result.message);
    });
    return () => {
      cancelled = true;
    };
  }, [row.id, row.status, row.attempts, reloads]);

  const redeliver = () =>
    startRedeliver(async () => {
      const result = await redeliverEventAction(row.id);
      if (!result.ok) {
        toast.error(result.message);
        return;
      }
      toast.success("Redelivery queued");
      setReloads((count) => count + 1);
    });

  const current = detail?.row.id === row.id ? detail : null;
  const rawText = current ? rawCopyText(current) : null;

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(event) => {
        // A click on the backdrop lands on the <dialog> itself.
        if (event.target === event.currentTarget) event.currentTarget.close();
      }}
      className="fixed inset-y-0 right-0 left-auto m-0 h-dvh max-h-none w-full max-w-2xl border-l bg-card p-0 text-foreground shadow-2xl backdrop:bg-black/40 sm:w-[42rem]"
    >
      <div className="flex h-full flex-col">
        <header className="flex items-start justify-between gap-3 border-b px-5 py-4">
          <div className="grid min-w-0 gap-1">
            <h2 id={titleId} className="flex flex-wrap items-center gap-2 text-lg font-semibold">
              Event details
              <span className="text-sm font-normal text-muted-foreground">
                {eventTypeLabel(row.eventType)} {row.objectType ?? ""}
                {row.eventCount > 1 ? ` + ${row.eventCount - 1} more` : ""}
              </span>
            </h2>
            <p className="truncate font-mono text-xs text-muted-foreground" title={row.objectId ?? undefined}>
              {row.objectId ?? "no object id"}
            </p>
          </div>
          <Button type="button" variant="ghost" size="icon" aria-label="Close" onClick={() => dialog.current?.close()}>
            <X aria-hidden />
          </Button>
        </header>

        <div className="grid flex-1 content-start gap-6 overflow-y-auto px-5 py-4">
          <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="text-muted-foreground">Status</dt>
            <dd className="flex items-center gap-2">
              <EventStatusBadge status={row.status} attempts={row.attempts} />
              {row.test ? <Badge variant="outline">Test</Badge> : null}
              <EventSourceBadge source={row.source} />
            </dd>
            <dt className="text-muted-foreground">Received</dt>
            <dd>{formatExactTime(new Date(row.createdAt))}</dd>
            <dt className="text-muted-foreground">Instance</dt>
            <dd className="flex items-center gap-2">
              <span
                aria-hidden
                className="flex size-5 items-center justify-center rounded text-[9px] font-bold text-white"
                style={{ backgroundColor: row.connector.color }}
              >
                {row.connector.monogram}
              </span>
              <Link className="font-medium text-primary underline-offset-4 hover:underline" href={`/instances/${row.instanceId}`}>
                {row.instanceName}
              </Link>
              <span className="text-muted-foreground">({row.connector.name})</span>
            </dd>
            <dt className="text-muted-foreground">Event id</dt>
            <dd className="font-mono text-xs break-all">{row.eventId}</dd>
            {row.unrecognized ? (
              <>
                <dt className="text-muted-foreground">Not recognized</dt>
                <dd className="text-xs" data-testid="unrecognized">
                  {row.unrecognized} Kept and delivered as one UNKNOWN event with the body as it came.
                </dd>
              </>
            ) : null}
            {current?.request?.duplicateOf ? (
              <>
                <dt className="text-muted-foreground">Duplicate of</dt>
                <dd className="text-xs" data-testid="duplicate-of">
                  <span className="font-mono break-all">{current.request.duplicateOf}</span>
                  <span className="block text-muted-foreground">The provider sent this webhook before; it was not delivered again.</span>
                </dd>
              </>
            ) : null}
            {current?.request?.remoteAddress ? (
              <>
                <dt className="text-muted-foreground">Sent from</dt>
                <dd className="font-mono text-xs">{current.request.remoteAddress}</dd>
              </>
            ) : null}
          </dl>

          <div className="flex flex-wrap gap-2">
            {notDeliverable(row.status) ? null : (
              <Button type="button" size="sm" onClick={redeliver} disabled={redelivering}>
                {redelivering ? <LoaderCircle className="animate-spin" aria-hidden /> : <RotateCw aria-hidden />} Redeliver
              </Button>
            )}
            <CopyButton getText={() => curlText(row.id)} label="Copy as cURL" />
            <CopyButton text={row.eventId} label="Copy event id" />
          </div>

          {error ? (
            <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm">
              {error}
            </p>
          ) : null}

          {!current ? (
            <p className="flex items-center gap-2 text-sm text-muted-foreground">
              <LoaderCircle className="size-4 animate-spin" aria-hidden /> Loading the event…
            </p>
          ) : (
            <>
              <Section title="Delivery attempts">
                <AttemptsTimeline attempts={current.attempts} row={row} now={now} />
              </Section>

              <Section title="Raw body" actions={rawText ? <CopyButton text={rawText} label="Copy body" /> : null}>
                {current.request ? (
                  <>
                    <p className="font-mono text-xs text-muted-foreground">{current.request.contentType || "no content type"}</p>
                    <RawBody body={current.request.body} />
                  </>
                ) : (
                  <>
                    <p className="text-sm text-muted-foreground">A test event made by Hookline; no provider sent it. Its payload:</p>
                    <JsonViewer value={current.notificationRaw} label="Raw body" />
                  </>
                )}
              </Section>

              <Section title="Normalized event">
                <JsonViewer value={current.normalized} label="Normalized event" openDepth={4} />
              </Section>

              {current.request ? (
                <Section title="Request headers">
                  <p className="text-xs text-muted-foreground">Credentials and signatures were removed when the request was stored.</p>
                  <FieldTable rows={current.request.headers} caption="Request headers" />
                </Section>
              ) : null}
            </>
          )}
        </div>
      </div>
    </dialog>
  );
}
