// Errors as one line of text, for stderr and error bodies.

/** The error's message on one line; for an AggregateError with no message (a refused connection to every address of a host), its first inner error's. */
export function errorText(error: unknown): string {
  let text = error instanceof Error ? error.message : String(error);
  if (text === "" && error instanceof AggregateError) text = errorText(error.errors[0]);
  if (text === "" && error instanceof Error) text = (error as NodeJS.ErrnoException).code ?? error.name;
  return text.replace(/\s+/g, " ").trim();
}
