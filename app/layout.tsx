import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import { PublicUrlBanner } from "@/components/public-url-banner";
import { publicUrl } from "@/lib/env";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Hookline", template: "%s · Hookline" },
  description: "Self-hosted connector instances and webhook events console",
  icons: { icon: "/favicon.svg" },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // proxy.ts's per-request CSP nonce, for the one inline script we add ourselves (next-themes').
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen antialiased">
        <Providers nonce={nonce}>
          <PublicUrlBanner publicUrl={publicUrl()} />
          {children}
        </Providers>
      </body>
    </html>
  );
}
