import { parameterNotes } from "@/lib/connectors/parameter-text";
import type { ParameterRow } from "@/lib/connectors/types";

/** A parameter's description in the docs, with what its row says about it (optional, default, bounds). */
export function ParameterDescription({ row }: { row: ParameterRow }) {
  const { optional, after } = parameterNotes(row);
  return (
    <>
      {optional ? <em>Optional. </em> : null}
      {row.description}
      {after.map((note) => ` ${note}`).join("")}
    </>
  );
}
