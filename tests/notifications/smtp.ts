// A real SMTP server on loopback for tests: it stores every message it accepts, decoded enough
// to read the queue id, the recipients, the subject and the links.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  queueId: string;
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
}

function decodePart(headers: string, body: string): string {
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => `%${h}`);
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  }
  return body;
}

function decodeSubject(value: string): string {
  return value.replace(/\r?\n\s+/g, ' ').replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, kind: string, text: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeURIComponent(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, '%$1')),
  );
}

export function parseMail(raw: string): ReceivedMail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const header = (name: string) => new RegExp(`^${name}:\\s*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head)?.[1]?.trim() ?? '';
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head)?.[1];
  let text = '';
  let html = '';
  if (boundary) {
    for (const part of raw.split(`--${boundary}`).slice(1)) {
      const [h = '', ...b] = part.split(/\r?\n\r?\n/);
      const body = decodePart(h, b.join('\n\n'));
      if (/content-type:\s*text\/plain/i.test(h)) text = body;
      if (/content-type:\s*text\/html/i.test(h)) html = body;
    }
  } else text = decodePart(head, rest.join('\n\n'));
  return {
    queueId: header('X-Aiguillage-Queue-Id'),
    messageId: header('Message-ID'),
    to: header('To').split(',').map((s) => s.trim()),
    subject: decodeSubject(header('Subject')),
    text,
    html,
    raw,
  };
}

export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  /** Server errors other than a client resetting its connection. */
  connectionErrors: Error[];
  /** Stops accepting connections (the port stays ours for `start`). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const connectionErrors: Error[] = [];
  let server: SMTPServer | undefined;
  let port = 0;
  const start = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(parseMail(Buffer.concat(chunks).toString('utf8')));
          callback();
        });
      },
    });
    // A client that dies mid-session (the SIGKILL scenario) resets its connection: smtp-server
    // re-emits that on the server, and an 'error' event without a listener would kill the test run.
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') connectionErrors.push(error);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  };
  await start();
  return {
    get port() {
      return port;
    },
    received,
    connectionErrors,
    stop: () => new Promise<void>((resolve) => server!.close(() => resolve())),
    start,
  };
}

/** Links of an actor e-mail's text, by the label before them. */
export function linkAfter(text: string, label: string): string {
  const at = text.indexOf(label);
  if (at < 0) throw new Error(`libellé absent du courriel : ${label}`);
  const url = /https?:\/\/\S+/.exec(text.slice(at))?.[0];
  if (!url) throw new Error(`pas de lien après : ${label}`);
  return url;
}
