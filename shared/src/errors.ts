import { z } from "zod";

/** Every API error has this shape: a stable `code` for programs and a Vietnamese `message` for people. */
export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

export const HealthStatus = z.object({ status: z.literal("ok") });
export type HealthStatus = z.infer<typeof HealthStatus>;
