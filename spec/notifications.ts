// The notification frames of the api3 profile, read from spec/api3/asyncapi.yaml
// so that the document stays the oracle for them.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { profileFiles, type JsonObject } from "./index.js";

let patternCache: RegExp | undefined;

/** The payload pattern of the walletUpdate message: `wallet-update:<sequence>`. */
export function notificationPattern(): RegExp {
  if (patternCache) return patternCache;
  const file = profileFiles("api3").asyncapi;
  if (!file) throw new Error("the api3 profile names no AsyncAPI document");
  const document = parseYaml(readFileSync(file, "utf8")) as JsonObject;
  const messages = (document["components"] as JsonObject)["messages"] as JsonObject;
  const payload = (messages["walletUpdate"] as JsonObject)["payload"] as JsonObject;
  patternCache = new RegExp(String(payload["pattern"]));
  return patternCache;
}

/** The sequence a frame announces, or undefined for a frame that is no walletUpdate message. */
export function announcedSequence(frame: string): number | undefined {
  return notificationPattern().test(frame) ? Number(frame.slice(frame.indexOf(":") + 1)) : undefined;
}
