// Every contract check, by the part of the protocol it covers.
import type { CheckCase } from "../model/case.js";
import { accountChecks } from "./accounts.js";
import { deploymentChecks } from "./deployment.js";
import { httpChecks } from "./http.js";
import { sequenceChecks } from "./sequence.js";
import { tokenChecks } from "./tokens.js";
import { validationChecks } from "./validation.js";
import { walletReadChecks } from "./wallet-read.js";

export const contractChecks: readonly CheckCase[] = [
  ...httpChecks,
  ...accountChecks,
  ...tokenChecks,
  ...walletReadChecks,
  ...sequenceChecks,
  ...validationChecks,
  ...deploymentChecks,
];
