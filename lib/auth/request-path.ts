import "server-only";
import { headers } from "next/headers";
import { PATH_HEADER } from "@/lib/auth/callback-url";

/** The page being rendered (path + query, from proxy.ts), so sign-in can bring the person back to it. */
export async function requestedPath(): Promise<string | null> {
  return (await headers()).get(PATH_HEADER);
}
