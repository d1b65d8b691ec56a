import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "@/lib/auth/options";

// GET/POST /api/auth/* – next-auth's sign-in, sign-out, session and CSRF endpoints
const handler = NextAuth(authOptions);

type Context = { params: Promise<{ nextauth: string[] }> };

/**
 * Two requests next-auth must not see. A body sent as JSON is parsed with `req.json()`, and a syntax
 * error escapes as a 500 (the sign-in form posts urlencoded; only a broken or hostile client sends bad
 * JSON): 400 instead. And `_log`, with a `logger` configured (lib/auth/options.ts), writes whatever level,
 * code and text the body names into the server log, for anyone: answered here as next-auth answers it
 * without a logger, with nothing logged.
 */
async function POST(request: NextRequest, context: Context): Promise<Response> {
  if ((await context.params).nextauth?.[0] === "_log") return Response.json({});
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    try {
      JSON.parse(await request.clone().text());
    } catch {
      return Response.json({ message: "The body is not valid JSON (the sign-in form sends application/x-www-form-urlencoded)." }, { status: 400 });
    }
  }
  return handler(request, context);
}

export { handler as GET, POST };
