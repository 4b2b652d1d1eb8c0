// Sends the persisted queue. A message leaves the queue only through a durable receipt, after
// the transport accepted it; a failure is retried with exponential backoff, never dropped.
// Messages are claimed with a lease: with several instances, each message is sent by one of
// them, and one claimed by an instance that died mid-send is retried once the lease runs out.
// Messages without recipient are coordinator notes (no ADMIN_EMAIL): written to the outbox.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { QueuedMail, ReferralStore } from '../store/index.js';
import { writeFileAtomic } from '../store/index.js';
import type { MailContent } from './render.js';
import type { MailTransport } from './transport.js';

export interface MailerOptions {
  store: Pick<ReferralStore, 'mails' | 'commit'>;
  transport: MailTransport;
  outboxDir: string;
  now?: () => Date;
  /** First retry after baseMs, doubling up to maxMs (defaults: 30 s, 6 h). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** How long a claimed message is kept from the other instances (default 5 min). */
  leaseMs?: number;
  /** Reply-To of every message (MAIL_REPLY_TO): a reply reaches the coordination. */
  replyTo?: string;
  log?: (message: string) => void;
}

/** A new queue entry, due now: its id is the idempotency key (and the Message-ID's left part). */
export function queuedMail(id: string, reference: string | null, kind: string, to: string[], content: MailContent, now: Date): QueuedMail {
  const at = now.toISOString();
  return { id, reference, kind, to, ...content, createdAt: at, attempts: 0, nextAttemptAt: at, lastError: null };
}

const DEFAULT_LEASE_MS = 5 * 60_000;

export interface FlushReport {
  sent: number;
  failed: number;
  notes: number;
}

/** A code safe to log and store: never the server's text, which may quote an address. */
export function errorCode(error: unknown): string {
  const e = error as { code?: unknown; responseCode?: unknown };
  const parts = [typeof e?.code === 'string' ? e.code : 'ERREUR', typeof e?.responseCode === 'number' ? String(e.responseCode) : null];
  return parts.filter(Boolean).join(' ');
}

export class Mailer {
  private running: Promise<FlushReport> | undefined;
  private again = false;
  private readonly now: () => Date;
  private readonly baseMs: number;
  private readonly maxMs: number;
  /**
   * Sent, but the receipt could not be written (the database down right then): kept here and
   * written as soon as it answers, well inside the lease, so that no instance sends them again.
   */
  private readonly unrecorded = new Map<string, Date>();
  private receiptRetry: NodeJS.Timeout | undefined;

  constructor(private readonly options: MailerOptions) {
    this.now = options.now ?? (() => new Date());
    this.baseMs = options.backoff?.baseMs ?? 30_000;
    this.maxMs = options.backoff?.maxMs ?? 6 * 3_600_000;
  }

  get transportKind(): MailTransport['kind'] {
    return this.options.transport.kind;
  }

  /**
   * Sends what is due; concurrent calls share one run, so nothing is sent twice in parallel. A
   * call during a run (a mail queued meanwhile) makes the run go round once more before it
   * resolves: the queue was read at the start of the pass, and the new mail must not wait for
   * the scheduler's next tick.
   */
  flush(): Promise<FlushReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      const total: FlushReport = { sent: 0, failed: 0, notes: 0 };
      do {
        this.again = false;
        const report = await this.run();
        total.sent += report.sent;
        total.failed += report.failed;
        total.notes += report.notes;
      } while (this.again);
      return total;
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<FlushReport> {
    const report: FlushReport = { sent: 0, failed: 0, notes: 0 };
    const { store } = this.options;
    // Small batches: the other instances share the rest. Sent or failed once in this pass: not
    // again before the next one (a zero backoff).
    const claimed = new Set<string>();
    const leaseMs = this.options.leaseMs ?? DEFAULT_LEASE_MS;
    await this.recordReceipts();
    for (;;) {
      const at = performance.now();
      const batch = (await store.mails.claim(this.now(), { limit: 5, leaseMs })).filter((m) => !claimed.has(m.id) && !this.unrecorded.has(m.id));
      if (batch.length === 0) break;
      for (const mail of batch) {
        // A slow server: what is left of the batch may soon be another instance's to send.
        if (performance.now() - at > leaseMs / 2) break;
        claimed.add(mail.id);
        await this.send(mail, report);
      }
    }
    return report;
  }

  private async send(mail: QueuedMail, report: FlushReport): Promise<void> {
    const { store, transport, log } = this.options;
    {
      try {
        if (mail.to.length === 0) {
          await this.writeNote(mail);
          report.notes += 1;
        } else {
          await transport.send({ queueId: mail.id, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, replyTo: this.options.replyTo, attachments: mail.attachments });
          report.sent += 1;
        }
      } catch (error) {
        const attempts = mail.attempts + 1;
        const delay = Math.min(this.maxMs, this.baseMs * 2 ** (attempts - 1));
        const code = errorCode(error);
        await store.commit({
          requeue: [{ ...mail, attempts, lastError: code, nextAttemptAt: new Date(this.now().getTime() + delay).toISOString() }],
        });
        log?.(`courriel ${mail.id} : échec de l’envoi (${code}, tentative ${attempts}), nouvel essai dans ${Math.round(delay / 1000)} s`);
        report.failed += 1;
        return;
      }
      // A crash right here resends once with the same Message-ID: the receiver can drop it.
      this.unrecorded.set(mail.id, this.now());
      await this.recordReceipts().catch((error: unknown) => {
        log?.(`courriel ${mail.id} envoyé ; accusé d’envoi pas encore écrit (${errorCode(error)}), nouvel essai dans 2 s`);
        this.retryReceipts();
      });
    }
  }

  private async writeNote(mail: QueuedMail): Promise<void> {
    const dir = join(this.options.outboxDir, 'coordination');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, `${mail.id}.txt`), `${mail.subject}\n\n${mail.text}`);
  }

  private async recordReceipts(): Promise<void> {
    if (this.unrecorded.size === 0) return;
    const delivered = [...this.unrecorded].map(([id, at]) => ({ id, at }));
    await this.options.store.commit({ delivered });
    for (const d of delivered) this.unrecorded.delete(d.id);
  }

  private retryReceipts(): void {
    if (this.receiptRetry) return;
    this.receiptRetry = setTimeout(() => {
      this.receiptRetry = undefined;
      void this.recordReceipts().catch(() => this.retryReceipts());
    }, 2_000);
    this.receiptRetry.unref();
  }

  close(): void {
    clearTimeout(this.receiptRetry);
    this.options.transport.close();
  }
}
