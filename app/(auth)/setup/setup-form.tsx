"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { FormError } from "@/components/form-error";
import { FormField } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { zSetupInput, type TSetupInput } from "@/lib/users/schema";
import { createFirstAdminAction } from "./actions";

export function SetupForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const form = useForm<TSetupInput>({
    resolver: zodResolver(zSetupInput),
    defaultValues: { organizationName: "", name: "", email: "", password: "" },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    const result = await createFirstAdminAction(values);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    const signedIn = await signIn("credentials", { email: values.email, password: values.password, redirect: false });
    if (signedIn?.error) {
      router.replace("/login");
      return;
    }
    router.replace("/");
    router.refresh();
  });

  return (
    <form onSubmit={onSubmit} className="grid gap-4" noValidate>
      <FormField id="organizationName" label="Organization name" error={errors.organizationName?.message}>
        <Input id="organizationName" autoFocus aria-invalid={!!errors.organizationName} {...form.register("organizationName")} />
      </FormField>
      <FormField id="name" label="Your name" hint="Optional." error={errors.name?.message}>
        <Input id="name" autoComplete="name" {...form.register("name")} />
      </FormField>
      <FormField id="email" label="E-mail" error={errors.email?.message}>
        <Input id="email" type="email" autoComplete="username" aria-invalid={!!errors.email} {...form.register("email")} />
      </FormField>
      <FormField id="password" label="Password" hint="At least 10 characters." error={errors.password?.message}>
        <Input id="password" type="password" autoComplete="new-password" aria-invalid={!!errors.password} {...form.register("password")} />
      </FormField>
      <FormError message={error} />
      <Button type="submit" disabled={isSubmitting}>
        {isSubmitting ? "Creating…" : "Create admin account"}
      </Button>
    </form>
  );
}
