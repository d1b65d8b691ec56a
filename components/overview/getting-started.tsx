import { ArrowRight } from "lucide-react";
import Link from "next/link";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

const steps = [
  { href: "/connectors", title: "Connect an account", text: "Pick a connector tile and fill in its parameters." },
  { href: "/instances", title: "Point the provider at Hookline", text: "Each instance has its own webhook URL." },
  { href: "/events", title: "Watch events arrive", text: "Normalized, signed and delivered to your callback URL." },
];

/** The three first steps, shown until the organization has its first instance. */
export function GettingStarted() {
  return (
    <section aria-label="Getting started" className="grid gap-4 md:grid-cols-3" data-testid="getting-started">
      {steps.map((step, index) => (
        <Link key={step.href} href={step.href} className="group rounded-lg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
          <Card className="h-full transition-colors group-hover:border-primary/50">
            <CardHeader>
              <span className="text-xs font-medium text-muted-foreground">Step {index + 1}</span>
              <CardTitle className="flex items-center justify-between">
                {step.title} <ArrowRight className="size-4 text-muted-foreground" aria-hidden />
              </CardTitle>
              <CardDescription>{step.text}</CardDescription>
            </CardHeader>
          </Card>
        </Link>
      ))}
    </section>
  );
}
