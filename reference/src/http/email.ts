// A bare address such as joe@example.com: not "Joe <joe@example.com>", no
// spaces or control characters, one @ with something on both sides
// (SIGNUP-4, AUTH-4). Deliberately simple; deliverability is not our concern.
const forbidden = /[\s<>\p{Cc}]/u;

export function isBareEmail(email: string): boolean {
  if (forbidden.test(email)) return false;
  const at = email.indexOf("@");
  return at > 0 && at === email.lastIndexOf("@") && at < email.length - 1;
}
