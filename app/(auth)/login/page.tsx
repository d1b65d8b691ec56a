import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { AuthCard } from "@/components/auth-card";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { currentUser } from "@/lib/auth/session";
import { publicUrl } from "@/lib/env";
import { hasAnyUser } from "@/lib/users/accounts";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function LoginPage({ searchParams }: Props) {
  if (!(await hasAnyUser())) redirect("/setup");
  if (await currentUser()) {
    const callbackUrl = (await searchParams).callbackUrl;
    redirect(safeCallbackUrl(typeof callbackUrl === "string" ? callbackUrl : null, publicUrl()));
  }
  return (
    <AuthCard title="Sign in to Hookline" description="Use the e-mail and password of your Hookline account.">
      <Suspense>
        <LoginForm />
      </Suspense>
    </AuthCard>
  );
}
