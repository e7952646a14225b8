// Every contract check, by the part of the protocol it covers.
import type { CheckCase } from "../model/case.js";
import { accountChecks } from "./accounts.js";
import { deploymentChecks } from "./deployment.js";
import { httpChecks } from "./http.js";
import { notificationChecks } from "./notifications.js";
import { passwordChecks } from "./password.js";
import { saltSeedChecks } from "./salt-seed.js";
import { sequenceChecks } from "./sequence.js";
import { tokenChecks } from "./tokens.js";
import { unknownFieldChecks } from "./unknown-fields.js";
import { validationChecks } from "./validation.js";
import { walletContentChecks } from "./wallet-content.js";
import { walletReadChecks } from "./wallet-read.js";

export const contractChecks: readonly CheckCase[] = [
  ...httpChecks,
  ...accountChecks,
  ...tokenChecks,
  ...walletReadChecks,
  ...sequenceChecks,
  ...walletContentChecks,
  ...validationChecks,
  ...unknownFieldChecks,
  ...saltSeedChecks,
  ...passwordChecks,
  ...notificationChecks,
  ...deploymentChecks,
];
