import { fakeConnectWise } from "../tests/helpers/fake-providers";

/**
 * Where the e2e specs run a fake ConnectWise API (tests/helpers/fake-providers.ts): two ports after the
 * app's unless E2E_CONNECTWISE_PORT says otherwise. playwright.config.ts points the app's ConnectWise API
 * there, so creating a ConnectWise instance (which checks its credentials with one call) works offline.
 */
export function connectwiseMockPort(): number {
  return Number(process.env.E2E_CONNECTWISE_PORT ?? Number(process.env.E2E_PORT ?? 3210) + 2);
}

export function connectwiseMockApiUrl(): string {
  return `http://127.0.0.1:${connectwiseMockPort()}/v4_6_release/apis/3.0`;
}

/** A fake ConnectWise that accepts every Basic credential (a spec's `intercept` can refuse some). */
export function startConnectWise() {
  return fakeConnectWise("any", connectwiseMockPort());
}
