// An account's password as its user knows it on every device (api3): the
// root password, its label in the history ("p0" the signup's, then one per
// password change attempt) and the salt seed stored with it. A device whose
// token is refused after another device changed the password takes the new
// one from here, as a user would type it on each device.
import { randomBytes } from "node:crypto";

export class AccountPassword {
  label = "p0";
  /** The salt seed the server stores with the current password, when known. */
  saltSeed: string | undefined;
  private attempts = 0;

  constructor(
    readonly email: string,
    public rootPassword: string,
  ) {}

  /** A new password for a change: its label is new in the account, whether the change succeeds or not. */
  next(): { rootPassword: string; label: string } {
    return { rootPassword: randomBytes(12).toString("hex"), label: `p${++this.attempts}` };
  }

  /** A change answered 200 (or shown to have taken effect) makes its password the account's. */
  adopt(rootPassword: string, label: string, saltSeed: string): void {
    this.rootPassword = rootPassword;
    this.label = label;
    this.saltSeed = saltSeed;
  }
}
