import { describeIssues } from "@qn/shared";
import type { z } from "zod";
import { ValidationError } from "../errors/app-error";

/**
 * Parses request input with a shared zod schema. On failure the error names each bad parameter, and the message
 * starts with the first one so that a person reading only `message` knows what to fix.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  message: string,
  name?: string,
): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = describeIssues(parsed.error, name);
  const first = details[0];
  throw new ValidationError(first ? `${message}: ${first.path} — ${first.message}` : message, details);
}
