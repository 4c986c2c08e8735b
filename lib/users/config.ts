// The console's people and sessions: their part of the application's one configuration schema.
import { z } from 'zod';

/** The smallest password the API takes (users, ADMIN_PASSWORD): long passphrases beat character rules. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

export const sessionsEnvSchema = z.object({
  /** The first admin user: created at start when no user has this email (an existing one is left as it is). */
  // user@host, not z.email(): development's own default is admin@localhost (CONTRACT §7), which has no TLD.
  ADMIN_EMAIL: z
    .string()
    .regex(/^[^\s@]+@[^\s@]+$/, 'an email address (user@host)')
    .max(254)
    .optional(),
  ADMIN_PASSWORD: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH).optional(),
  /** A session unused this long ends (default 12 h). */
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 30)
    .default(12 * 60),
  /** A session ends this long after the login, used or not (default 7 days). */
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(7 * 24),
  /** Failed logins for one email, then for one address, within the window before 429. */
  LOGIN_FAILURES_PER_EMAIL: z.coerce.number().int().min(1).default(5),
  LOGIN_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
  LOGIN_FAILURE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
});

export interface SessionsConfig {
  adminEmail?: string;
  adminPassword?: string;
  idleMinutes: number;
  maxHours: number;
  loginThrottle: { perEmail: number; perIp: number; windowMinutes: number };
}

export function sessionsConfigFrom(e: z.infer<typeof sessionsEnvSchema>): SessionsConfig {
  return {
    adminEmail: e.ADMIN_EMAIL?.toLowerCase(),
    adminPassword: e.ADMIN_PASSWORD,
    idleMinutes: e.SESSION_IDLE_MINUTES,
    maxHours: e.SESSION_MAX_HOURS,
    loginThrottle: {
      perEmail: e.LOGIN_FAILURES_PER_EMAIL,
      perIp: e.LOGIN_FAILURES_PER_IP,
      windowMinutes: e.LOGIN_FAILURE_WINDOW_MINUTES,
    },
  };
}
