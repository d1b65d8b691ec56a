import { connector as campaignmonitor } from "@/lib/connectors/campaignmonitor";
import { connector as connectwisecrmrest } from "@/lib/connectors/connectwisecrmrest";
import { connector as hootsuite } from "@/lib/connectors/hootsuite";
import { connector as mailchimpv3 } from "@/lib/connectors/mailchimpv3";
import { findConnector } from "@/lib/connectors/schema";
import type { Connector } from "@/lib/connectors/types";

/**
 * The registry. Adding a connector is adding its file and one entry here. Order is stable (by key) so
 * tiles and listings do not shuffle. Server-side only in practice: the webhook handlers use `node:crypto`;
 * client components take what they need (`key`, `aliases`, `parameters`) as props.
 */
export const connectors: readonly Connector[] = Object.freeze([
  campaignmonitor,
  connectwisecrmrest,
  hootsuite,
  mailchimpv3,
]);

/** Canonical element keys, in registry order (aliases not included). */
export const connectorKeys: readonly string[] = Object.freeze(connectors.map((c) => c.key));

/** The connector for an element key or alias (`connectwisehd` → ConnectWise); keys are case-sensitive. */
export function getConnector(keyOrAlias: string): Connector | undefined {
  return findConnector(connectors, keyOrAlias);
}
