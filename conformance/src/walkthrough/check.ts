// SYNC-1: the walkthrough of spec/walkthrough.md, run against the server.
import { readFileSync } from "node:fs";
import { specFiles } from "../../../spec/index.js";
import type { Exchange } from "../client/protocol-client.js";
import { defineCheck } from "../model/case.js";
import { RetryingClient } from "../run/retrying-client.js";
import { parseWalkthrough, type WalkthroughStep } from "./document.js";
import { runWalkthrough } from "./interpreter.js";

let stepsCache: WalkthroughStep[] | undefined;
export function walkthroughSteps(): WalkthroughStep[] {
  stepsCache ??= parseWalkthrough(readFileSync(specFiles.walkthrough, "utf8"));
  return stepsCache;
}

export const walkthroughCheck = defineCheck({
  requirement: "SYNC-1",
  slug: "walkthrough",
  file: import.meta.url,
  title: "Two devices sync, merge and resolve a conflict exactly as spec/walkthrough.md shows",
  async run(ctx) {
    let statementExchanges: Exchange[] = [];
    const options = ctx.clientOptions();
    const protocol = new RetryingClient({
      ...options,
      onExchange: (exchange) => {
        options.onExchange?.(exchange);
        statementExchanges.push(exchange);
      },
    });
    const outcome = await runWalkthrough(walkthroughSteps(), {
      protocol,
      email: () => ctx.uniqueEmail("walkthrough"),
      onStatement: () => {
        statementExchanges = [];
      },
    });
    const mismatch = outcome.mismatch;
    if (!mismatch) return;
    ctx.report({
      requirement: "SYNC-1",
      message: `walkthrough.md line ${mismatch.line}, after \`>>> ${mismatch.step.statement}\`: ${mismatch.reason}`,
      sent: `>>> ${mismatch.step.statement}`,
      received: mismatch.actual ?? "(nothing)",
      expected: mismatch.expected ?? "(nothing more)",
      exchanges: statementExchanges,
    });
  },
});
