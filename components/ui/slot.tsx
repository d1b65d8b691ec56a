import { cloneElement, isValidElement, type HTMLAttributes, type ReactNode } from "react";
import { cn } from "@/lib/utils";

/** Renders its only child with the slot's props merged in (Radix's Slot, minus the dependency). */
export function Slot({ children, className, ...props }: HTMLAttributes<HTMLElement> & { children?: ReactNode }) {
  if (!isValidElement<HTMLAttributes<HTMLElement>>(children)) return null;
  return cloneElement(children, {
    ...props,
    ...children.props,
    className: cn(className, children.props.className),
  });
}
