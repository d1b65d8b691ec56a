import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth-card";
import { hasAnyUser } from "@/lib/users/accounts";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up" };
export const dynamic = "force-dynamic";

export default async function SetupPage() {
  if (await hasAnyUser()) redirect("/login");
  return (
    <AuthCard
      title="Welcome to Hookline"
      description="Create your organization and its admin account."
    >
      <SetupForm />
    </AuthCard>
  );
}
