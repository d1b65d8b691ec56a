"use client";

import { LoaderCircle, type LucideIcon } from "lucide-react";
import { useTransition } from "react";
import { toast } from "sonner";
import { Button, type ButtonProps } from "@/components/ui/button";
import type { ActionResult } from "@/lib/action-result";

type Props = {
  /** Calls the server action; its result decides the toast. */
  run: () => Promise<ActionResult<unknown>>;
  label: string;
  icon: LucideIcon;
  /** The toast after `ok: true`; an error shows the action's own message. */
  success: string;
} & Pick<ButtonProps, "variant" | "size">;

/** A button that runs one server action, shows a spinner meanwhile and a toast with the outcome. */
export function ActionButton({ run, label, icon: Icon, success, variant = "outline", size }: Props) {
  const [pending, startTransition] = useTransition();
  const click = () =>
    startTransition(async () => {
      const result = await run();
      if (result.ok) toast.success(success);
      else toast.error(result.message);
    });
  return (
    <Button type="button" variant={variant} size={size} onClick={click} disabled={pending}>
      {pending ? <LoaderCircle className="animate-spin" aria-hidden /> : <Icon aria-hidden />} {label}
    </Button>
  );
}
