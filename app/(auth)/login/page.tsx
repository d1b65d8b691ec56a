import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { AuthCard } from "@/components/auth-card";
import { authOptions } from "@/lib/auth/options";
import { hasAnyUser } from "@/lib/users/accounts";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (!(await hasAnyUser())) redirect("/setup");
  if ((await getServerSession(authOptions))?.user?.id) redirect("/");
  return (
    <AuthCard title="Sign in to Hookline" description="Use the e-mail and password of your Hookline account.">
      <Suspense>
        <LoginForm />
      </Suspense>
    </AuthCard>
  );
}
