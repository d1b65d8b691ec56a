import { describe, expect, it } from "vitest";
import { connectors } from "@/lib/connectors";
import { MAX_RATE_PARAMETER, maxRatePerSecond } from "@/lib/connectors/delivery-settings";
import { parseConfiguration } from "@/lib/connectors/schema";

describe("maxRatePerSecond", () => {
  it("is the stored number of deliveries per second", () => {
    expect(MAX_RATE_PARAMETER).toBe("event.notification.max.rate");
    expect(maxRatePerSecond({ "event.notification.max.rate": 0.5 })).toBe(0.5);
    expect(maxRatePerSecond({ "event.notification.max.rate": 25 })).toBe(25);
    expect(maxRatePerSecond({ "event.notification.max.rate": 10000 })).toBe(10000);
  });

  it("is null (no limit) when unset or not a value validation accepts", () => {
    expect(maxRatePerSecond({})).toBeNull();
    for (const value of [undefined, null, "5", "fast", 0, -1, 10000.5, Number.NaN, Number.POSITIVE_INFINITY, true, {}]) {
      expect(maxRatePerSecond({ [MAX_RATE_PARAMETER]: value }), String(value)).toBeNull();
    }
    // An own key only: a prototype's is not configuration.
    expect(maxRatePerSecond(Object.create({ [MAX_RATE_PARAMETER]: 5 }) as Record<string, unknown>)).toBeNull();
  });

  it("reads what the configuration schema stores, for every connector", () => {
    for (const connector of connectors) {
      const parsed = parseConfiguration(connector, { [MAX_RATE_PARAMETER]: 2.5 }, { mode: "update" });
      if (!parsed.ok) throw new Error(`${connector.key}: ${parsed.message}`);
      expect(maxRatePerSecond(parsed.value), connector.key).toBe(2.5);
    }
  });
});
