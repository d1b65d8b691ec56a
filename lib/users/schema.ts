import { z } from "zod";

export const zEmail = z.string().trim().toLowerCase().pipe(z.email("Enter a valid e-mail address"));

export const zPassword = z
  .string()
  .min(10, "Use at least 10 characters")
  .max(200, "Use at most 200 characters");

/** The first-run form: creates the organization and its first admin. */
export const zSetupInput = z.object({
  organizationName: z.string().trim().min(1, "Name your organization").max(100),
  name: z.string().trim().max(100).optional(),
  email: zEmail,
  password: zPassword,
});
export type TSetupInput = z.infer<typeof zSetupInput>;

export const zSignInInput = z.object({
  email: zEmail,
  password: z.string().min(1, "Enter your password"),
});
export type TSignInInput = z.infer<typeof zSignInInput>;
