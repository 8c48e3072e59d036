import { z } from 'zod';

export const PASSWORD_MIN = 10;
const PASSWORD_MAX = 200;

/** Emails are compared lower-cased; the rest is what the shopper typed, trimmed. */
export const emailSchema = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .min(1, 'Enter your email address.')
  .max(254, 'That email address is too long.')
  .pipe(z.email('Enter an email address like name@example.com.'))
  .transform((email) => email.toLowerCase());

export const passwordSchema = z
  .string({ error: 'Choose a password.' })
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
  .refine((p) => p.trim().length > 0, 'A password cannot be only spaces.');

export const nameSchema = z
  .string({ error: 'Enter your name.' })
  .trim()
  .min(1, 'Enter your name.')
  .max(100, 'Use at most 100 characters.')
  .refine((n) => !/[\u0000-\u001f\u007f]/.test(n), 'Your name contains characters we cannot store.');

export const registerSchema = z.object({ name: nameSchema, email: emailSchema, password: passwordSchema });

/** Sign-in checks only the shape: length rules belong to sign-up, and a wrong password gets the generic message. */
export const loginSchema = z.object({
  email: emailSchema,
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(PASSWORD_MAX, 'Enter your password.'),
});

export type Registration = z.infer<typeof registerSchema>;
