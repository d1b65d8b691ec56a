"use client";

import { useController, type Control, type FieldPath } from "react-hook-form";
import { TagInput } from "@/components/tag-input";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import type { SchemaMode } from "@/lib/connectors/schema";
import type { ParameterRow } from "@/lib/connectors/types";
import type { InstanceFormOutput, InstanceFormValues } from "@/lib/forms/instance-form";

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
 * lists and a chip input for the body's `tags` array. The label is the row's label, the help text its
 * description, and the API name is shown beside the label (outside it, so the label stays the plain name).
 */
export function ConnectorField({
  row,
  control,
  mode,
}: {
  row: ParameterRow;
  control: InstanceFormControl;
  mode: SchemaMode;
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
        id={id}
        name={name}
        ref={ref}
        value={typeof value === "string" ? value : ""}
        onChange={onChange}
        onBlur={onBlur}
        type={inputType(row)}
        // Decimals are allowed (0.5 a second); the schema, not the browser, judges the bounds.
        step={row.type === "number" ? "any" : undefined}
        inputMode={row.type === "url" ? "url" : row.type === "number" ? "decimal" : undefined}
        autoComplete={row.type === "secret" ? "off" : undefined}
        spellCheck={row.type === "string" || row.type === "list" ? undefined : false}
        placeholder={placeholderFor(row, mode)}
        className={row.type === "string" && row.location === "body" ? undefined : "font-mono"}
        {...aria}
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
