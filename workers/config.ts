// The application's configuration: one schema, parsed once at start-up, passed around as a typed value.
import { z } from 'zod';
import type { TemporalConfig } from '../temporal.config';
import { isClabe } from '../lib/statements/check-digits';
import { parseEncryptionKeys } from './encryption-keys';
import { paymentsConfigFrom, paymentsEnvSchema, type PaymentsConfig } from '../lib/payments/config';
import { sessionsConfigFrom, sessionsEnvSchema, type SessionsConfig } from '../lib/users/config';

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** "a, b,c" → ["a", "b", "c"]; empty entries are dropped. */
const commaList = z.string().transform((v) =>
  v
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

/** Temporal settings follow the Temporal SDKs' `TEMPORAL_*` environment conventions. */
const temporalEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: flag.optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('collections'),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_CLI: z.string().min(1).optional(),
  TEMPORAL_TEST_SERVER: z.string().min(1).optional(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(500),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(50),
  TEMPORAL_ENCRYPTION_KEYS: z
    .string()
    .transform((list, ctx) => {
      const parsed = parseEncryptionKeys(list);
      if ('keys' in parsed) return parsed.keys;
      for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    })
    .optional(),
  TEMPORAL_UI_ORIGINS: commaList
    .pipe(z.array(z.url().refine((u) => new URL(u).origin === u, 'must be an origin: scheme://host[:port]')))
    .optional(),
});

/** A number id names a task queue (`whatsapp-<id>`) and a row: short, plain characters. */
const whatsappNumberId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'must be letters, digits, "-" or "_" (at most 63)');

const whatsappEnvSchema = z.object({
  WHATSAPP_NUMBERS: commaList
    .pipe(z.array(whatsappNumberId).refine((ids) => new Set(ids).size === ids.length, 'lists a number twice'))
    .default([]),
  WHATSAPP_SEND_NUMBER: whatsappNumberId.optional(),
  // Cautious defaults: WhatsApp restricts numbers that message many unknown contacts.
  WHATSAPP_PER_MINUTE: z.coerce.number().int().min(1).max(600).default(10),
  WHATSAPP_PER_DAY: z.coerce.number().int().min(1).max(100_000).default(200),
});

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PUBLIC_BASE_URL: z.url().optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
    /** Calls per second the outbox makes to Temporal (starts and signals, inline and relay); 0: no limit. */
    OUTBOX_RATE_PER_SECOND: z.coerce.number().int().min(0).default(1000),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
    LINK_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    TRANSFER_CLABE: z.string().refine(isClabe, 'must be an 18-digit CLABE with a valid control digit').optional(),
    TRANSFER_BANK_NAME: z.string().min(1).max(100).optional(),
    CREDITOR_NAME: z.string().trim().min(1).max(100).optional(),
    RECONCILE_AUTO_THRESHOLD: z.coerce.number().min(0).max(1).default(0.85),
    PORTAL_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    PORTAL_RATE_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    PORTAL_RATE_PER_LINK_PER_MINUTE: z.coerce.number().int().min(1).default(60),
    RESEND_API_KEY: z.string().min(1).optional(),
    RESEND_BASE_URL: z.url().optional(),
    RESEND_WEBHOOK_SECRET: z.string().min(1).optional(),
    EMAIL_FROM: z.string().min(3).default('Cobranzas <cobranzas@example.com>'),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
    FAILED_AUTH_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  })
  .extend(temporalEnvSchema.shape)
  .extend(paymentsEnvSchema.shape)
  .extend(sessionsEnvSchema.shape)
  .extend(whatsappEnvSchema.shape);

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    publicBaseUrl?: string;
    rateLimitPerMinute: number;
    /** Failed authentications (no key, unknown or revoked key) one IP may make per minute before 429. */
    failedAuthPerMinute: number;
    bodyLimitBytes: number;
  };
  logLevel: string;
  dataDir: string;
  /** Unset means: run the embedded PostgreSQL under dataDir (development only). */
  databaseUrl?: string;
  databasePoolMax: number;
  outboxRatePerSecond: number;
  embeddedPostgresPort: number;
  adminApiKey?: string;
  /**
   * Signs the links messages carry (the opt-out link). Unset outside production: generated once and
   * kept in DATA_DIR/link-signing-secret (workers/link-secret.ts). Required in production with RESEND_API_KEY.
   */
  linkSigningSecret?: string;
  /** CREDITOR_NAME: who collects, as messages name it (`{{ creditor.name }}` in templates). */
  creditorName?: string;
  /** Bank statements: the account debtors transfer to, and the match score from which a line is applied unasked. */
  reconcile: { clabe?: string; bankName?: string; autoThreshold: number };
  /** The debtor portal: how many days a link in a message works. */
  portal: { linkTtlDays: number; ratePerIpPerMinute: number; ratePerLinkPerMinute: number };
  email: { resendApiKey?: string; resendBaseUrl?: string; webhookSecret?: string; from: string };
  temporal: TemporalConfig;
  whatsapp: WhatsAppConfig;
  /** Online payment providers (Stripe, Mercado Pago) and which an account is offered (lib/payments/config.ts). */
  payments: PaymentsConfig;
  /** The console's people: the first admin, session lifetimes, the login throttle (lib/users/config.ts). */
  sessions: SessionsConfig;
}

export interface WhatsAppConfig {
  /** Numbers whose socket and task queue this process holds when it runs the worker role. */
  numbers: string[];
  /** The number account workflows send from; unset = WhatsApp messages are captured in outbound_messages. */
  sendNumber?: string;
  rateLimit: { perMinute: number; perDay: number; burst: number };
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  // Empty strings in .env files mean "unset", not "invalid".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.RESEND_API_KEY && !e.LINK_SIGNING_SECRET) {
    // Emails leave with an opt-out link that every API process must be able to verify.
    throw new ConfigError([
      'LINK_SIGNING_SECRET: is required in production when RESEND_API_KEY is set (the same value on every process)',
    ]);
  }
  return {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      publicBaseUrl: e.PUBLIC_BASE_URL,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      failedAuthPerMinute: e.FAILED_AUTH_PER_MINUTE,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
    },
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    outboxRatePerSecond: e.OUTBOX_RATE_PER_SECOND,
    embeddedPostgresPort: e.EMBEDDED_PG_PORT,
    adminApiKey: e.ADMIN_API_KEY,
    linkSigningSecret: e.LINK_SIGNING_SECRET,
    creditorName: e.CREDITOR_NAME,
    reconcile: { clabe: e.TRANSFER_CLABE, bankName: e.TRANSFER_BANK_NAME, autoThreshold: e.RECONCILE_AUTO_THRESHOLD },
    portal: {
      linkTtlDays: e.PORTAL_LINK_TTL_DAYS,
      ratePerIpPerMinute: e.PORTAL_RATE_PER_IP_PER_MINUTE,
      ratePerLinkPerMinute: e.PORTAL_RATE_PER_LINK_PER_MINUTE,
    },
    email: {
      resendApiKey: e.RESEND_API_KEY,
      resendBaseUrl: e.RESEND_BASE_URL,
      webhookSecret: e.RESEND_WEBHOOK_SECRET,
      from: e.EMAIL_FROM,
    },
    temporal: temporalConfigFrom(e),
    payments: paymentsConfigFrom(e),
    sessions: sessionsConfigFrom(e),
    whatsapp: {
      numbers: e.WHATSAPP_NUMBERS,
      sendNumber: e.WHATSAPP_SEND_NUMBER,
      // A short burst lets a reply follow a reminder without waiting for the next token.
      rateLimit: {
        perMinute: e.WHATSAPP_PER_MINUTE,
        perDay: e.WHATSAPP_PER_DAY,
        burst: Math.min(3, e.WHATSAPP_PER_MINUTE),
      },
    },
  };
}

function temporalConfigFrom(env: z.infer<typeof temporalEnvSchema>): TemporalConfig {
  const hasTlsFiles = Boolean(env.TEMPORAL_TLS_CLIENT_CERT_PATH ?? env.TEMPORAL_TLS_SERVER_CA_CERT_PATH);
  const useTls = env.TEMPORAL_TLS ?? (hasTlsFiles || Boolean(env.TEMPORAL_API_KEY));
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    apiKey: env.TEMPORAL_API_KEY,
    tls: useTls
      ? {
          clientCertPath: env.TEMPORAL_TLS_CLIENT_CERT_PATH,
          clientKeyPath: env.TEMPORAL_TLS_CLIENT_KEY_PATH,
          serverRootCaCertPath: env.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
          serverName: env.TEMPORAL_TLS_SERVER_NAME,
        }
      : false,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    devServer: { port: env.TEMPORAL_DEV_PORT, uiPort: env.TEMPORAL_UI_PORT },
    encryptionKeys: env.TEMPORAL_ENCRYPTION_KEYS,
    // The UI's origin is whichever host the browser was given: the dev server prints localhost.
    webUiOrigins: env.TEMPORAL_UI_ORIGINS ?? [
      `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`,
      `http://localhost:${env.TEMPORAL_UI_PORT}`,
    ],
    cliPath: env.TEMPORAL_CLI,
    testServerPath: env.TEMPORAL_TEST_SERVER,
    worker: {
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentActivities: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
    },
  };
}
