// The providers' side for the reliability suite: the environment that points every connector's token,
// API and metadata URLs at one local server, so runs never wait on an unreachable internet.

const CONNECTORS = ["CAMPAIGNMONITOR", "HOOTSUITE", "MAILCHIMPV3", "CONNECTWISECRMREST"];

export function providerEnv(url: string): Record<string, string> {
  return Object.fromEntries(
    CONNECTORS.flatMap((key) => [
      [`HOOKLINE_${key}_TOKEN_URL`, `${url}/token`],
      [`HOOKLINE_${key}_API_URL`, `${url}/api`],
      [`HOOKLINE_${key}_METADATA_URL`, `${url}/metadata`],
    ]),
  );
}
