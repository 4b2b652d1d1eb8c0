// Environment → typed settings. Every setting has an embedded default so that `npm start`
// works with no configuration; .env.example documents each one.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
/** A yes/no setting: 1, true, oui, yes → true; anything else or unset → false. */
const flag = z
  .string()
  .optional()
  .transform((v) => ['1', 'true', 'oui', 'yes'].includes((v ?? '').trim().toLowerCase()));
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const configSchema = z.object({
  PORT: port.default(3978),
  BACKOFFICE_PORT: port.default(3000),
  AIGUILLAGE_DATA_DIR: z.string().min(1).default('data/runtime'),
  PUBLIC_URL: z.string().url().optional().or(z.literal('').transform(() => undefined)),
  SMTP_URL: optional,
  /**
   * Production mode: every store on PostgreSQL (postgres://user:password@host:5432/base), so that
   * several instances can serve one territory. Unset: the embedded store in AIGUILLAGE_DATA_DIR.
   */
  DATABASE_URL: optional.pipe(
    z
      .string()
      .regex(/^postgres(?:ql)?:\/\//, 'doit commencer par postgres:// (ex. postgres://aiguillage:motdepasse@localhost:5432/aiguillage)')
      .optional(),
  ),
  MAIL_FROM: z.string().min(3).default('Aiguillage <aiguillage@example.org>'),
  /** Where holders' (and actors') replies go; unset: the coordination's address (ADMIN_EMAIL). */
  MAIL_REPLY_TO: z.email().optional().or(z.literal('').transform(() => undefined)),
  AIGUILLAGE_SECRET: optional,
  ADMIN_EMAIL: optional,
  ADMIN_PASSWORD: optional,
  // Back office behind a reverse proxy: trust its X-Forwarded-Proto/-For (default: no).
  BACKOFFICE_TRUST_PROXY: flag,
  // Public server behind a reverse proxy: per-address limits read its X-Forwarded-For (default: no).
  PUBLIC_TRUST_PROXY: flag,
  // Secure flag of the back office's session cookie: auto (when the request is HTTPS), always, never.
  COOKIE_SECURE: z
    .string()
    .optional()
    .transform((v) => v?.trim() || 'auto')
    .pipe(z.enum(['auto', 'always', 'never'])),
  MicrosoftAppId: optional,
  MicrosoftAppPassword: optional,
  MicrosoftAppTenantId: optional,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  /** Follow-up scheduler period (reminders, e-mail retries…). */
  FOLLOWUP_INTERVAL_SECONDS: z.coerce.number().positive().max(86_400).default(60),
  /** Working day of the month the monthly report goes out (1 = first working day; 0 = never by itself). */
  MONTHLY_REPORT_DAY: z.coerce.number().int().min(0).max(20).default(1),
  /** Hour (Paris) from which it goes out that day. */
  MONTHLY_REPORT_HOUR: z.coerce.number().int().min(0).max(23).default(8),
  /**
   * How long an instance holds the e-mails it took to send: after a crash mid-send, another
   * instance sends them once this has passed (a receiver may then get one twice, same Message-ID).
   */
  MAIL_LEASE_SECONDS: z.coerce.number().int().min(10).max(3_600).default(300),
  /** First retry of an e-mail the SMTP server refused, doubling up to 6 h. */
  MAIL_RETRY_SECONDS: z.coerce.number().positive().max(86_400).default(30),
});

export type Config = z.infer<typeof configSchema> & {
  publicUrl: string;
  /** MAIL_REPLY_TO, or the coordination's address: the address every holder can write to. */
  mailReplyTo: string | undefined;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')} : ${i.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return { ...c, publicUrl: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`, mailReplyTo: c.MAIL_REPLY_TO ?? c.ADMIN_EMAIL };
}
