"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { ChevronDown, ChevronUp } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState, type ReactNode } from "react";
import { get, useForm, useWatch, type FieldErrors, type FieldPath } from "react-hook-form";
import { toast } from "sonner";
import { ConnectorField } from "@/components/connector-field";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/action-result";
import type { ConnectorSpec, SchemaMode } from "@/lib/connectors/schema";
import type { ParameterRow } from "@/lib/connectors/types";
import {
  EVENTS_ENABLED,
  formFieldNames,
  formSections,
  formValuesForAction,
  instanceFormSchema,
  type InstanceFormOutput,
  type InstanceFormValues,
} from "@/lib/forms/instance-form";

/** Saves the instance (`id`) or, for OAuth connectors, sends the browser to the provider's consent page (`redirectUrl`). */
export type InstanceFormAction = (
  values: InstanceFormValues,
) => Promise<ActionResult<{ id: number } | { redirectUrl: string; formUrl?: string }>>;

type InstanceFormProps = {
  spec: ConnectorSpec;
  mode: SchemaMode;
  defaultValues: InstanceFormValues;
  action: InstanceFormAction;
  submitLabel: string;
  pendingLabel: string;
  successMessage: string;
  /** Shown above the submit button (e.g. what happens to an OAuth instance). */
  note?: ReactNode;
  cancelHref?: string;
};

function hasErrorIn(errors: FieldErrors<InstanceFormValues>, rows: ParameterRow[]): boolean {
  return rows.some((row) => get(errors, row.apiName) !== undefined);
}

function hasValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === "string" && value.trim() !== "";
}

/**
 * The create/edit form of an instance, generated from the connector's Parameters rows: required rows
 * first, optional rows behind a toggle, and the events group behind the Events Enabled switch. The values
 * go to the server action as react-hook-form holds them; errors come back keyed by API name.
 */
export function InstanceForm({
  spec,
  mode,
  defaultValues,
  action,
  submitLabel,
  pendingLabel,
  successMessage,
  note,
  cancelHref,
}: InstanceFormProps) {
  const router = useRouter();
  const sections = useMemo(() => formSections(spec), [spec]);
  const fieldNames = useMemo(() => new Set(formFieldNames(spec)), [spec]);
  const resolver = useMemo(() => zodResolver(instanceFormSchema(spec, { mode })), [spec, mode]);
  const form = useForm<InstanceFormValues, unknown, InstanceFormOutput>({ resolver, defaultValues });
  const { errors, isSubmitting } = form.formState;
  const [formError, setFormError] = useState<string | null>(null);
  // Stays pending after success until the instance page has loaded, so nothing is submitted twice.
  const [leaving, setLeaving] = useState(false);
  // An edit form opens the optional section when something in it is already set.
  const [showOptional, setShowOptional] = useState(
    () => mode === "update" && sections.optional.some((row) => hasValue(get(defaultValues, row.apiName))),
  );

  const eventsEnabled = useWatch({ control: form.control, name: EVENTS_ENABLED as FieldPath<InstanceFormValues> }) === true;
  // A field with an error is never hidden: the person must be able to see and fix it.
  const optionalVisible = showOptional || hasErrorIn(errors, sections.optional);
  const eventsVisible = eventsEnabled || hasErrorIn(errors, sections.events);

  const onSubmit = form.handleSubmit(async () => {
    setFormError(null);
    // The raw values, not the parsed ones: a cleared field must reach the server as "" (null for a number) to be cleared.
    const result = await action(formValuesForAction(spec, form.getValues()));
    if (result.ok) {
      setLeaving(true);
      if ("redirectUrl" in result.data) {
        // Back from the provider returns to this form with the entries its authorization keeps.
        if (result.data.formUrl) window.history.replaceState(window.history.state, "", result.data.formUrl);
        window.location.assign(result.data.redirectUrl);
        return;
      }
      toast.success(successMessage);
      router.push(`/instances/${result.data.id}`);
      return;
    }
    const unplaced: string[] = [];
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) {
      const message = messages[0] ?? "Invalid value";
      if (fieldNames.has(name)) form.setError(name as FieldPath<InstanceFormValues>, { type: "server", message });
      else unplaced.push(message);
    }
    if (unplaced.length > 0 || !result.fieldErrors || Object.keys(result.fieldErrors).length === 0) {
      setFormError(unplaced.length ? unplaced.join(" ") : result.message);
    }
  });

  const pending = isSubmitting || leaving;
  const field = (row: ParameterRow) => (
    <ConnectorField
      key={row.apiName}
      row={row}
      control={form.control}
      mode={mode}
      pollingDefaults={row.type === "json" && row.jsonValue === "pollerConfiguration" ? spec.pollingDefaults : undefined}
    />
  );

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-6" aria-label={submitLabel}>
      <section className="grid gap-4" aria-labelledby="required-fields">
        <h2 id="required-fields" className="text-sm font-semibold">
          Required
        </h2>
        {sections.required.map(field)}
      </section>

      {sections.optional.length > 0 ? (
        <section className="grid gap-4">
          <div>
            <Button
              type="button"
              variant="ghost"
              size="sm"
              className="-ml-3"
              aria-expanded={optionalVisible}
              aria-controls="optional-fields"
              onClick={() => setShowOptional(!optionalVisible)}
            >
              {optionalVisible ? <ChevronUp aria-hidden /> : <ChevronDown aria-hidden />}
              {optionalVisible ? "Hide optional fields" : "Show optional fields"}
            </Button>
          </div>
          {optionalVisible ? (
            <div id="optional-fields" className="grid gap-4">
              {sections.optional.map(field)}
            </div>
          ) : null}
        </section>
      ) : null}

      {sections.eventsToggle ? (
        <section className="grid gap-4 rounded-lg border bg-muted/30 p-4" aria-label="Events">
          {field(sections.eventsToggle)}
          {eventsVisible ? <div className="grid gap-4 border-t pt-4">{sections.events.map(field)}</div> : null}
        </section>
      ) : null}

      {note}

      {formError ? (
        <p role="alert" className="rounded-md bg-destructive/10 px-3 py-2 text-sm text-destructive">
          {formError}
        </p>
      ) : null}

      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? pendingLabel : submitLabel}
        </Button>
        {cancelHref ? (
          <Button asChild variant="ghost">
            <Link href={cancelHref}>Cancel</Link>
          </Button>
        ) : null}
      </div>
    </form>
  );
}
