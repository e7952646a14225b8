// PostgreSQL connection URLs as --store and DATABASE_URL take them, and their
// form in messages, which never show the password.

/** Whether the text is a postgres:// or postgresql:// URL with a host. */
export function isPostgresUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
}

/** The URL with its password replaced by ***, for messages and logs. */
export function redactPassword(text: string): string {
  if (!URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.password === "") return text;
  url.password = "***";
  return url.href;
}
