// SYNC-1: the walkthrough of the run's profile (spec/walkthrough.md,
// spec/api3/walkthrough.md), run against the server.
import { readFileSync } from "node:fs";
import { defaultProfile, profileFiles, specProfile, type ProfileName } from "../../../spec/index.js";
import type { Exchange } from "../client/protocol-client.js";
import { requireSetupStatus } from "../checks/support/expect.js";
import { stepsTaken } from "../checks/support/steps.js";
import { defineCheck } from "../model/case.js";
import { RetryingClient } from "../run/retrying-client.js";
import { parseWalkthrough, type WalkthroughStep } from "./document.js";
import { runWalkthrough } from "./interpreter.js";

const stepsCache = new Map<ProfileName, WalkthroughStep[]>();
/** The statements of a profile's walkthrough (the seed profile's by default). */
export function walkthroughSteps(profile: ProfileName = defaultProfile): WalkthroughStep[] {
  let steps = stepsCache.get(profile);
  if (!steps) {
    steps = parseWalkthrough(readFileSync(profileFiles(profile).walkthrough, "utf8"));
    stepsCache.set(profile, steps);
  }
  return steps;
}

export const walkthroughCheck = defineCheck({
  requirement: "SYNC-1",
  slug: "walkthrough",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup"),
  title: "Two devices sync, merge and resolve a conflict exactly as the profile's walkthrough shows",
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
    const outcome = await runWalkthrough(walkthroughSteps(ctx.profile), {
      protocol,
      email: () => ctx.uniqueEmail("walkthrough"),
      onStatement: () => {
        statementExchanges = [];
      },
    });
    const mismatch = outcome.mismatch;
    if (!mismatch) return;
    // A signup answered otherwise than 201 or 409 is the signup's own failure: it blocks the walkthrough.
    const signup = statementExchanges.find((e) => e.request.method === "POST" && e.request.path.endsWith("/signup") && e.response?.status !== 409);
    if (signup) requireSetupStatus(ctx, signup, { requirement: "SIGNUP-1", status: 201, doing: `signing up at \`>>> ${mismatch.step.statement}\`` });
    ctx.report({
      requirement: "SYNC-1",
      message: `${specProfile(ctx.profile).walkthroughFile} line ${mismatch.line}, after \`>>> ${mismatch.step.statement}\`: ${mismatch.reason}`,
      sent: `>>> ${mismatch.step.statement}`,
      received: mismatch.actual ?? "(nothing)",
      expected: mismatch.expected ?? "(nothing more)",
      exchanges: statementExchanges,
    });
  },
});
