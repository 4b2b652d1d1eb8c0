// Where e-mails go: an SMTP server (SMTP_URL), or, without one, .eml files in the outbox so that
// `npm start` works anywhere. Both build the message with nodemailer; the Message-ID carries the
// queue id, so a receiver can drop a copy sent twice after a crash between send and receipt.
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { writeFileAtomic } from '../store/index.js';

export interface OutgoingMail {
  queueId: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Reply-To: where an answer to an automatic message reaches a person. */
  replyTo?: string;
  attachments?: { filename: string; contentType: string; content: string }[];
}

export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export const QUEUE_ID_HEADER = 'X-Aiguillage-Queue-Id';

function domainOf(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'aiguillage.invalid';
}

function message(mail: OutgoingMail, from: string) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: `<${mail.queueId}@${domainOf(from)}>`,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    ...(mail.attachments?.length ? { attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })) } : {}),
    headers: {
      [QUEUE_ID_HEADER]: mail.queueId,
      // Out-of-office replies should not answer an automatic message.
      'Auto-Submitted': 'auto-generated',
    },
  };
}

export function smtpTransport(url: string, from: string): MailTransport {
  // Pooled: a new connection per message costs ~100 ms even on loopback (10 messages a second
  // at most); the queue is sent one message after another on a kept connection. `?pool=false`
  // in SMTP_URL still turns it off.
  // A stalled server gives up within a minute: well inside the mail queue's claim lease (5 min),
  // so that a mail is never being sent by one instance while another takes it over.
  const transporter = nodemailer.createTransport({ url, pool: true, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
  return {
    kind: 'smtp',
    async send(mail) {
      await transporter.sendMail(message(mail, from));
    },
    close: () => transporter.close(),
  };
}

/** Outbox file names start with the queue id, hence with the referral: erasure finds them. */
export function outboxTransport(dir: string, from: string): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    async send(mail) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const info = await builder.sendMail(message(mail, from));
      // Same queue id, same file: a repeated attempt overwrites instead of duplicating.
      await writeFileAtomic(join(dir, `${mail.queueId}.eml`), info.message as Buffer);
    },
    close: () => builder.close(),
  };
}

/** Deletes outbox files (e-mails and notes) of one request: erasure and anonymisation. */
export async function deleteOutboxFiles(outboxDir: string, reference: string): Promise<number> {
  let deleted = 0;
  for (const dir of [outboxDir, join(outboxDir, 'coordination')]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(`${reference}-`) && !name.startsWith(`${reference}.`)) continue;
      await unlink(join(dir, name)).catch(() => undefined);
      deleted += 1;
    }
  }
  return deleted;
}
