"use client";

import { useController, type Control, type FieldPath } from "react-hook-form";
import { PollerDefaultsPicker } from "@/components/poller-defaults-picker";
import { TagInput } from "@/components/tag-input";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/native-select";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import type { SchemaMode } from "@/lib/connectors/schema";
import type { ParameterRow } from "@/lib/connectors/types";
import type { InstanceFormOutput, InstanceFormValues } from "@/lib/forms/instance-form";
import type { PollerConfiguration } from "@/lib/polling/config";

export type InstanceFormControl = Control<InstanceFormValues, unknown, InstanceFormOutput>;

/** `oauth.api.key` → `field-oauth-api-key`: a valid, stable element id. */
export function fieldId(apiName: string): string {
  return `field-${apiName.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

function describedBy(id: string, hasHint: boolean, hasError: boolean): string | undefined {
  const ids = [hasHint ? `${id}-hint` : null, hasError ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

/**
 * One row of a connector's Parameters table as a form control, chosen by the row's type: text and URL
 * inputs, a password input for secrets, a number input for numbers, a switch for booleans, a comma-separated input for configuration
 * lists, a chip input for the body's `tags` array, a select for choices and a monospace textarea for JSON
 * (with a picker of the connector's `pollingDefaults`, when it has some). The label is the row's label, the help text its
 * description, and the API name is shown beside the label (outside it, so the label stays the plain name).
 */
export function ConnectorField({
  row,
  control,
  mode,
  pollingDefaults,
}: {
  row: ParameterRow;
  control: InstanceFormControl;
  mode: SchemaMode;
  /** The connector's default poller resources, offered beside a `json` row. */
  pollingDefaults?: PollerConfiguration;
}) {
  // Destructured so the ref callback is kept apart from the values read during render.
  const {
    field: { ref, name, value, onChange, onBlur },
    fieldState,
  } = useController({ control, name: row.apiName as FieldPath<InstanceFormValues> });
  const id = fieldId(row.apiName);
  const error = fieldState.error?.message;
  const hint = row.description.trim();
  const aria = {
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy(id, hint !== "", !!error),
  };

  const heading = (
    <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
      <Label htmlFor={id} id={`${id}-label`}>
        {row.label}
      </Label>
      <code className="font-mono text-[11px] text-muted-foreground">{row.apiName}</code>
    </div>
  );
  const help = hint ? (
    <p id={`${id}-hint`} className="text-xs text-muted-foreground">
      {hint}
    </p>
  ) : null;
  const errorText = error ? (
    <p id={`${id}-error`} role="alert" className="text-xs font-medium text-destructive">
      {error}
    </p>
  ) : null;

  if (row.type === "boolean") {
    return (
      <div className="grid gap-1.5">
        <div className="flex items-start justify-between gap-4">
          <div className="grid gap-1.5">
            {heading}
            {help}
          </div>
          <Switch
            id={id}
            name={name}
            aria-labelledby={`${id}-label`}
            checked={value === true}
            onCheckedChange={(checked) => onChange(checked)}
            onBlur={onBlur}
            ref={ref}
            className="mt-0.5"
            {...aria}
          />
        </div>
        {errorText}
      </div>
    );
  }

  const text = typeof value === "string" ? value : "";
  // What every text-like control (select, textarea, input) takes from the form field.
  const bound = { id, name, ref, value: text, onChange, onBlur, ...aria };

  if (row.type === "choice") {
    // No empty option when the row has a default: the default is what "not set" means anyway.
    const unsetOption = row.required || row.default !== undefined ? null : <option value="">Not set</option>;
    return (
      <div className="grid gap-1.5">
        {heading}
        <NativeSelect {...bound} className="font-mono">
          {unsetOption}
          {(row.choices ?? []).map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </NativeSelect>
        {help}
        {errorText}
      </div>
    );
  }

  if (row.type === "json") {
    return (
      <div className="grid gap-1.5">
        {heading}
        <Textarea
          {...bound}
          rows={10}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          placeholder={pollingDefaults ? "Empty: the connector's defaults" : undefined}
          className="font-mono text-xs leading-5"
        />
        {pollingDefaults ? <PollerDefaultsPicker defaults={pollingDefaults} onUse={(json) => onChange(json)} /> : null}
        {help}
        {errorText}
      </div>
    );
  }

  // The body's `tags` is a JSON array; configuration lists are comma-separated strings.
  const control_ =
    row.type === "list" && row.location === "body" ? (
      <TagInput
        id={id}
        value={Array.isArray(value) ? (value as string[]) : []}
        onChange={onChange}
        onBlur={onBlur}
        invalid={!!error}
        describedBy={aria["aria-describedby"]}
        placeholder="Type a tag and press Enter"
      />
    ) : (
      <Input
        {...bound}
        type={inputType(row)}
        // Decimals are allowed (0.5 a second); the schema, not the browser, judges the bounds.
        step={row.type === "number" ? "any" : undefined}
        inputMode={row.type === "url" ? "url" : row.type === "number" ? "decimal" : undefined}
        autoComplete={row.type === "secret" ? "off" : undefined}
        spellCheck={row.type === "string" || row.type === "list" ? undefined : false}
        placeholder={placeholderFor(row, mode)}
        className={row.type === "string" && row.location === "body" ? undefined : "font-mono"}
      />
    );

  return (
    <div className="grid gap-1.5">
      {heading}
      {control_}
      {help}
      {errorText}
    </div>
  );
}

function inputType(row: ParameterRow): string {
  if (row.type === "secret") return "password";
  if (row.type === "url" || row.type === "number") return row.type;
  return "text";
}

function placeholderFor(row: ParameterRow, mode: SchemaMode): string | undefined {
  if (row.type === "secret" && mode === "update") return "Leave blank to keep the current value";
  if (row.type === "url") return "https://";
  if (row.type === "list") return "comma,separated,values";
  return undefined;
}
