import { describe, expect, it } from "vitest";
import { connectors } from "@/lib/connectors";
import { parameterDocText } from "@/lib/connectors/parameter-text";

/** Sentences said twice in `text` ("Optional. Optional.", "Default: false. Default: false."). */
function repeated(text: string): string[] {
  const sentences = text.match(/[^.]+\.?/g)?.map((sentence) => sentence.trim()).filter(Boolean) ?? [];
  return sentences.filter((sentence, index) => sentences.indexOf(sentence) !== index);
}

describe("the docs' parameter sentences, derived from the catalog", () => {
  it("say each thing once: a description never repeats what the row's fields add", () => {
    const problems = connectors.flatMap((connector) =>
      connector.parameters.flatMap((row) => {
        const text = parameterDocText(row);
        const twice = [...repeated(text), ...(text.match(/Optional/g)?.length ?? 0) > 1 ? ["Optional"] : [], ...(text.match(/Default:/g)?.length ?? 0) > 1 ? ["Default:"] : []];
        return twice.length ? [`${connector.key} ${row.apiName}: ${text}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it("say optional and default from the row's fields", () => {
    const campaignMonitor = connectors.find((connector) => connector.key === "campaignmonitor")!;
    const enabled = campaignMonitor.parameters.find((row) => row.apiName === "event.notification.enabled")!;
    expect(parameterDocText(enabled)).toBe("Optional. Identifies that events are enabled for the connector instance. Default: false.");
  });

  it("say a choice row's values and a json row's shape", () => {
    const connectwise = connectors.find((connector) => connector.key === "connectwisecrmrest")!;
    const find = (apiName: string) => connectwise.parameters.find((row) => row.apiName === apiName)!;
    expect(parameterDocText(find("event.vendor.type"))).toMatch(/ Default: webhook\. One of: webhook, polling, both\.$/);
    expect(parameterDocText(find("event.poller.configuration"))).toMatch(/ A JSON object, or the same object as a JSON string\.$/);
  });
});
