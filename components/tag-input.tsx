"use client";

import { X } from "lucide-react";
import { useState, type KeyboardEvent } from "react";
import { cn } from "@/lib/utils";

type TagInputProps = {
  id: string;
  value: string[];
  onChange: (tags: string[]) => void;
  onBlur?: () => void;
  invalid?: boolean;
  describedBy?: string;
  placeholder?: string;
};

/**
 * Tags as chips: type and press Enter (or a comma) to add one, Backspace in the empty box removes the last,
 * each chip has its own remove button. Whatever is still typed is added when the box loses focus, so a
 * tag is not lost by clicking Submit straight away.
 */
export function TagInput({ id, value, onChange, onBlur, invalid, describedBy, placeholder }: TagInputProps) {
  const [draft, setDraft] = useState("");

  const add = (text: string) => {
    const fresh = text
      .split(",")
      .map((tag) => tag.trim())
      .filter((tag) => tag !== "" && !value.includes(tag));
    if (fresh.length) onChange([...value, ...new Set(fresh)]);
    setDraft("");
  };

  const remove = (tag: string) => onChange(value.filter((t) => t !== tag));

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter" || event.key === ",") {
      // Enter would submit the form; a comma would end up in the tag.
      event.preventDefault();
      add(draft);
    } else if (event.key === "Backspace" && draft === "" && value.length > 0) {
      event.preventDefault();
      onChange(value.slice(0, -1));
    }
  };

  return (
    <div
      className={cn(
        "flex min-h-9 w-full flex-wrap items-center gap-1.5 rounded-md border bg-card px-2 py-1 text-sm shadow-xs focus-within:ring-2 focus-within:ring-ring",
        invalid && "border-destructive",
      )}
    >
      {value.length > 0 ? (
        <ul className="contents" aria-label="Current tags">
          {value.map((tag) => (
            <li key={tag} className="flex items-center gap-1 rounded-full bg-primary/10 py-0.5 pr-1 pl-2 text-xs font-medium text-primary">
              {tag}
              <button
                type="button"
                onClick={() => remove(tag)}
                aria-label={`Remove tag ${tag}`}
                className="flex size-4 cursor-pointer items-center justify-center rounded-full hover:bg-primary/20 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
              >
                <X className="size-3" aria-hidden />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        id={id}
        value={draft}
        onChange={(event) => {
          const text = event.target.value;
          // A pasted "a, b, c" becomes three chips at once.
          if (text.includes(",")) add(text);
          else setDraft(text);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (draft.trim() !== "") add(draft);
          onBlur?.();
        }}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        placeholder={value.length === 0 ? placeholder : undefined}
        autoComplete="off"
        className="h-7 min-w-24 flex-1 bg-transparent px-1 outline-none placeholder:text-muted-foreground"
      />
    </div>
  );
}
