// The Direct Line v3 subset (DESIGN.md §1) under /v3/directline, with the bot turn run
// in-process. What Microsoft's clients need with `webSocket: false`: start, post, poll,
// refresh, resume. Security: signed tokens bound to one conversation, CORS only for partner
// origins, rate limits per address and per conversation, size limits. With a database, the
// conversations and the limits live in PostgreSQL: any instance answers any request; when it is
// unreachable, a short French 503 with Retry-After (never a 500).
import { randomBytes } from 'node:crypto';
import type { Request, Response, Server } from 'restify';
import type { Activity } from 'botbuilder';
import { z } from 'zod';
import type { IncomingActivity } from '../inProcessAdapter.js';
import type { PartnerDirectory } from '../partners.js';
import { PARTNER_ID } from '../../domain/partner.js';
import { isDatabaseUnavailable, type Database } from '../../store/postgres/database.js';
import { DEFAULT_CONVERSATION_LIMITS, MemoryDirectLineStore, type ConversationLimits, type DirectLineConversation, type DirectLineStore } from './conversations.js';
import { openPostgresDirectLineStore } from './postgresStore.js';
import { clientAddress, header, HttpError, messages, queryParam, sendError, sendJson, UNAVAILABLE_RETRY_SECONDS } from './http.js';
import { RateLimiter, type BucketSpec } from './rateLimit.js';
import { bearer, TokenSigner, type TokenClaims } from './tokens.js';

export const DIRECT_LINE_PREFIX = '/v3/directline';
export const CHANNEL_ID = 'directline';

export interface DirectLineLimits extends ConversationLimits {
  tokenTtlSeconds: number;
  /** Characters of one message's text. */
  maxTextChars: number;
  /** Bytes of one request body. */
  maxBodyBytes: number;
  /** A post answers after the bot's turn, or after this long (the replies come by polling). */
  turnWaitMs: number;
  perAddress: BucketSpec;
  perAddressNewConversations: BucketSpec;
  perConversationMessages: BucketSpec;
  perConversationRequests: BucketSpec;
}

export const DEFAULT_LIMITS: DirectLineLimits = {
  ...DEFAULT_CONVERSATION_LIMITS,
  tokenTtlSeconds: 1800,
  maxTextChars: 4000,
  maxBodyBytes: 16 * 1024,
  turnWaitMs: 10_000,
  // One open widget polls once a second; a town hall's visitors may share one address.
  perAddress: { capacity: 300, refillPerSecond: 20 },
  perAddressNewConversations: { capacity: 20, refillPerSecond: 1 / 30 },
  perConversationMessages: { capacity: 10, refillPerSecond: 0.5 },
  perConversationRequests: { capacity: 40, refillPerSecond: 5 },
};

export interface DirectLineOptions {
  /** Runs one bot turn and returns the replies (InProcessAdapter.process). */
  process: (incoming: IncomingActivity) => Promise<Partial<Activity>[]>;
  partners: PartnerDirectory;
  secret: string;
  limits?: Partial<DirectLineLimits>;
  logError: (message: string, error?: unknown) => void;
  now?: () => number;
  /** Behind a reverse proxy: per-address limits read its X-Forwarded-For (PUBLIC_TRUST_PROXY). */
  trustProxy?: boolean;
  /** Production mode: conversations, activity streams and rate limits shared in PostgreSQL. */
  database?: Database;
}

export interface DirectLineChannel {
  store: DirectLineStore;
  /** Stops the background sweep and the turn-lock connections (tests, shutdown). */
  close(): Promise<void>;
}

const ALLOWED_HEADERS = 'Authorization, Content-Type, x-ms-bot-agent, X-Requested-With';
const CONVERSATION_ID = /^[A-Za-z0-9_-]{8,64}$/;
const USER_ID = /^[A-Za-z0-9_:.@-]{1,64}$/;

const startBody = z
  .object({
    user: z.object({ id: z.string().optional() }).partial().optional(),
    partner: z.string().regex(PARTNER_ID).optional(),
  })
  .optional();

const incomingBody = z.object({
  type: z.enum(['message', 'event', 'typing']),
  text: z.string().optional(),
  textFormat: z.enum(['plain', 'markdown', 'xml']).optional(),
  value: z.unknown().optional(),
  name: z.string().max(100).optional(),
  replyToId: z.string().max(200).optional(),
  attachments: z
    .array(z.object({ contentType: z.string().max(200), name: z.string().max(200).optional() }))
    .max(10)
    .optional(),
  channelData: z
    .object({ clientActivityID: z.string().max(100).optional(), clientTimestamp: z.string().max(40).optional() })
    .partial()
    .optional(),
});

export function mountDirectLine(server: Server, options: DirectLineOptions): DirectLineChannel {
  const limits: DirectLineLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const tokens = new TokenSigner(options.secret, limits.tokenTtlSeconds, now);
  const { database } = options;
  const store: DirectLineStore = database ? openPostgresDirectLineStore(database, { limits, now }) : new MemoryDirectLineStore(limits, now);
  const perAddress = new RateLimiter(limits.perAddress, 'address', database);
  const perAddressNew = new RateLimiter(limits.perAddressNewConversations, 'address-new', database);
  const perConversationMessages = new RateLimiter(limits.perConversationMessages, 'conversation-messages', database);
  const perConversationRequests = new RateLimiter(limits.perConversationRequests, 'conversation-requests', database);
  const { partners } = options;

  const sweep = setInterval(() => {
    store.sweep().catch((error: unknown) => {
      if (!isDatabaseUnavailable(error)) options.logError('Direct Line : purge des conversations inactives', error);
    });
  }, 60_000);
  sweep.unref();

  /** The holder is told to retry shortly: nothing was confirmed, nothing is lost. */
  const unavailable = () => new HttpError(503, 'ServiceUnavailable', messages.unavailable, UNAVAILABLE_RETRY_SECONDS);

  // Before routing and body parsing: CORS, preflight, per-address limit, body size.
  server.pre((req, res, next) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith(`${DIRECT_LINE_PREFIX}/`)) return next();
    res.header('Cache-Control', 'no-store');
    res.header('X-Content-Type-Options', 'nosniff');
    const origin = header(req, 'origin');
    const isPublic = req.method === 'GET' && path.startsWith(`${DIRECT_LINE_PREFIX}/partners/`);
    if (isPublic) {
      res.header('Access-Control-Allow-Origin', '*');
    } else if (origin) {
      res.header('Vary', 'Origin');
      // Handlers check the conversation's own partner; here: is it any partner's site at all?
      if (partners.findByOrigin(origin)) {
        res.header('Access-Control-Allow-Origin', origin);
        res.header('Access-Control-Expose-Headers', 'Retry-After');
      } else {
        sendError(res, new HttpError(403, 'OriginRefused', messages.originRefused));
        return next(false);
      }
    }
    if (req.method === 'OPTIONS') {
      res.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.header('Access-Control-Max-Age', '600');
      res.send(204);
      return next(false);
    }
    const length = Number(header(req, 'content-length') ?? 0);
    if (length > limits.maxBodyBytes) {
      sendError(res, new HttpError(413, 'PayloadTooLarge', messages.bodyTooLarge(limits.maxBodyBytes / 1024)));
      return next(false);
    }
    // Azure starts a conversation from a bare POST; clients that stream it send an empty chunked
    // body without Content-Type, which the body parser would refuse as octet-stream (415).
    // Read as JSON: empty stays "no body", anything else must be valid JSON.
    if (req.method === 'POST' && path === `${DIRECT_LINE_PREFIX}/conversations` && !header(req, 'content-type')) {
      req.headers['content-type'] = 'application/json';
    }
    perAddress.take(clientAddress(req, options.trustProxy)).then(
      (wait) => {
        if (wait === 0) return next();
        sendError(res, new HttpError(429, 'TooManyRequests', messages.tooManyRequests, wait));
        return next(false);
      },
      (error: unknown) => {
        if (!isDatabaseUnavailable(error)) options.logError('Direct Line : limite par adresse', error);
        sendError(res, unavailable());
        return next(false);
      },
    );
  });

  /** Wraps a handler: HttpError → French JSON; anything else → logged, generic 500. */
  const route =
    (handler: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await handler(req, res);
      } catch (error) {
        if (error instanceof HttpError) {
          sendError(res, error);
          return;
        }
        if (isDatabaseUnavailable(error)) {
          sendError(res, unavailable());
          return;
        }
        options.logError('Direct Line : erreur inattendue', error);
        sendError(res, new HttpError(500, 'InternalError', 'Erreur interne du serveur.'));
      }
    };

  function checkOrigin(req: Request, partnerId: string | undefined): void {
    const origin = header(req, 'origin');
    if (origin && !partners.allows(partnerId, origin)) throw new HttpError(403, 'OriginRefused', messages.originRefused);
  }

  function claimsOf(req: Request): TokenClaims {
    const check = tokens.verify(bearer(header(req, 'authorization')));
    if (check.ok) return check.claims;
    // 403 for an expired token: Microsoft's clients then refresh or reconnect.
    if (check.reason === 'expired') throw new HttpError(403, 'TokenExpired', messages.tokenExpired);
    throw new HttpError(401, 'Unauthorized', messages.tokenMissing);
  }

  /** The conversation named in the path, if the request's token is for it. */
  async function authorize(req: Request): Promise<DirectLineConversation> {
    const id = String(req.params?.conversationId ?? '');
    const claims = claimsOf(req);
    if (claims.conv !== id || !CONVERSATION_ID.test(id)) throw new HttpError(403, 'Forbidden', messages.otherConversation);
    const conversation = await store.get(id);
    if (!conversation) throw new HttpError(404, 'NotFound', messages.conversationGone);
    checkOrigin(req, conversation.partnerId);
    return conversation;
  }

  function grant(conversation: DirectLineConversation): { conversationId: string; token: string; expires_in: number } {
    const { token, expiresIn } = tokens.sign({ conv: conversation.id, user: conversation.userId, partner: conversation.partnerId });
    return { conversationId: conversation.id, token, expires_in: expiresIn };
  }

  async function throttle(limiter: RateLimiter, key: string, message: string): Promise<void> {
    const wait = await limiter.take(key);
    if (wait > 0) throw new HttpError(429, 'TooManyRequests', message, wait);
  }

  /**
   * Runs a turn in the conversation's queue and logs the bot's replies. For a post with a
   * clientActivityID, the turn is marked answered; a retry runs it only if it is still not, once
   * it holds the conversation's turn (the first attempt's instance may have died mid-turn).
   */
  function runTurn(conversation: DirectLineConversation, incoming: IncomingActivity, post?: { clientActivityId: string; retry: boolean }): Promise<void> {
    return store.runTurn(conversation.id, async () => {
      if (post?.retry && (await store.isAnswered(conversation.id, post.clientActivityId))) return;
      const replies = await options.process(incoming);
      for (const reply of replies) await store.append(conversation.id, toStored(reply, conversation.id, incoming.id));
      if (post) await store.markAnswered(conversation.id, post.clientActivityId);
    });
  }

  /** Waits for the turn, at most `turnWaitMs`: a slow bot's replies still arrive by polling. */
  async function awaitTurn(turn: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, limits.turnWaitMs);
    });
    try {
      await Promise.race([turn, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  server.post(
    `${DIRECT_LINE_PREFIX}/conversations`,
    route(async (req, res) => {
      // A client holding a token for a conversation resumes it (Direct Line semantics).
      if (bearer(header(req, 'authorization'))) {
        const claims = claimsOf(req);
        const conversation = await store.get(claims.conv);
        if (!conversation) throw new HttpError(404, 'NotFound', messages.conversationGone);
        checkOrigin(req, conversation.partnerId);
        sendJson(res, 200, grant(conversation));
        return;
      }
      // An empty body (bare or chunked) reaches here as '' or an empty Buffer: no body.
      const raw: unknown = req.body;
      const body = startBody.safeParse(raw === '' || (Buffer.isBuffer(raw) && raw.length === 0) ? undefined : (raw ?? undefined));
      if (!body.success) throw new HttpError(400, 'BadRequest', messages.invalidActivity);
      const partnerId = body.data?.partner ?? queryParam(req, 'partner');
      const origin = header(req, 'origin');
      let partner = partnerId !== undefined ? partners.get(partnerId) : undefined;
      if (partnerId !== undefined && !partner) throw new HttpError(404, 'UnknownPartner', messages.unknownPartner);
      if (origin) {
        partner ??= partners.findByOrigin(origin);
        checkOrigin(req, partner?.id);
      }
      await throttle(perAddressNew, clientAddress(req, options.trustProxy), messages.tooManyRequests);

      const wanted = body.data?.user?.id;
      const userId = wanted && USER_ID.test(wanted) ? wanted : `dl_${randomBytes(9).toString('base64url')}`;
      const conversation = await store.create(userId, partner?.id);
      const greeting = runTurn(conversation, {
        type: 'conversationUpdate',
        id: `${conversation.id}|start`,
        channelId: CHANNEL_ID,
        conversation: { id: conversation.id },
        from: { id: userId, name: '', role: 'user' },
        membersAdded: [{ id: userId, name: '', role: 'user' }],
        locale: 'fr-FR',
        channelData: partner ? { partner: partner.id } : {},
      }).catch((error: unknown) => options.logError('Direct Line : accueil impossible', error));
      await awaitTurn(greeting);
      sendJson(res, 201, grant(conversation));
    }),
  );

  server.post(
    `${DIRECT_LINE_PREFIX}/conversations/:conversationId/activities`,
    route(async (req, res) => {
      const conversation = await authorize(req);
      await throttle(perConversationMessages, conversation.id, messages.tooManyMessages);
      const parsed = incomingBody.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, 'BadRequest', messages.invalidActivity);
      const activity = parsed.data;
      if ((activity.text?.length ?? 0) > limits.maxTextChars) {
        throw new HttpError(413, 'MessageTooLong', messages.textTooLong(limits.maxTextChars));
      }
      const rawLength = (req as Request & { rawBody?: Buffer | string }).rawBody?.length ?? 0;
      if (rawLength > limits.maxBodyBytes) {
        throw new HttpError(413, 'PayloadTooLarge', messages.bodyTooLarge(limits.maxBodyBytes / 1024));
      }
      if (activity.type === 'typing') {
        sendJson(res, 200, { id: `${conversation.id}|typing` });
        return;
      }
      const clientActivityId = activity.channelData?.clientActivityID;
      if (store.queued(conversation.id) >= limits.maxQueuedTurns) {
        // A retry of a post already taken is answered, even with a full queue.
        const known = clientActivityId ? await store.knownPost(conversation.id, clientActivityId) : undefined;
        if (known) {
          sendJson(res, 200, { id: known });
          return;
        }
        throw new HttpError(429, 'TooManyRequests', messages.tooManyMessages, 2);
      }

      const from = { id: conversation.userId, role: 'user' };
      const common = {
        type: activity.type,
        ...(activity.text !== undefined ? { text: activity.text } : {}),
        ...(activity.textFormat ? { textFormat: activity.textFormat } : {}),
        ...(activity.value !== undefined ? { value: activity.value } : {}),
        ...(activity.name ? { name: activity.name } : {}),
        ...(activity.attachments ? { attachments: activity.attachments } : {}),
        ...(activity.replyToId ? { replyToId: activity.replyToId } : {}),
      };
      // The echo: Web Chat waits for its own activity (matched by clientActivityID). A retry
      // after a lost response (same clientActivityID, any instance) gets the first post's id;
      // its turn runs again only if it never completed.
      const { id, known, answered } = await store.post(
        conversation.id,
        {
          ...common,
          timestamp: new Date(now()).toISOString(),
          channelId: CHANNEL_ID,
          conversation: { id: conversation.id },
          from,
          ...(activity.channelData ? { channelData: activity.channelData } : {}),
        },
        clientActivityId,
      );
      if (known && answered) {
        sendJson(res, 200, { id });
        return;
      }
      const turn = runTurn(conversation, {
        ...common,
        id,
        channelId: CHANNEL_ID,
        conversation: { id: conversation.id },
        from,
        locale: 'fr-FR',
        // The partner comes from the signed token, never from what the client says.
        channelData: conversation.partnerId ? { partner: conversation.partnerId } : {},
      } as IncomingActivity, clientActivityId ? { clientActivityId, retry: known } : undefined);
      let failed = false;
      let down = false;
      const settled = turn.catch(async (error: unknown) => {
        failed = true;
        down = isDatabaseUnavailable(error);
        if (!down) {
          options.logError('Direct Line : tour du bot en échec', error);
          return;
        }
        // The state could not be read or saved: tell the holder in the conversation when the
        // log is still reachable (memory adapter, or the database already back).
        await store.append(conversation.id, toStored({ type: 'message', text: messages.unavailable }, conversation.id, id)).catch(() => undefined);
      });
      await awaitTurn(settled);
      if (down) throw unavailable();
      if (failed) throw new HttpError(502, 'BotError', messages.botFailed);
      sendJson(res, 200, { id });
    }),
  );

  server.get(
    `${DIRECT_LINE_PREFIX}/conversations/:conversationId/activities`,
    route(async (req, res) => {
      const conversation = await authorize(req);
      await throttle(perConversationRequests, conversation.id, messages.tooManyRequests);
      sendJson(res, 200, await store.since(conversation.id, watermarkOf(req)));
    }),
  );

  // Resume (directlinejs calls it when it is given a conversation id and a token).
  server.get(
    `${DIRECT_LINE_PREFIX}/conversations/:conversationId`,
    route(async (req, res) => {
      const conversation = await authorize(req);
      await throttle(perConversationRequests, conversation.id, messages.tooManyRequests);
      sendJson(res, 200, grant(conversation));
    }),
  );

  server.post(
    `${DIRECT_LINE_PREFIX}/tokens/refresh`,
    route(async (req, res) => {
      const claims = claimsOf(req);
      const conversation = await store.get(claims.conv);
      if (!conversation) throw new HttpError(404, 'NotFound', messages.conversationGone);
      checkOrigin(req, conversation.partnerId);
      await throttle(perConversationRequests, conversation.id, messages.tooManyRequests);
      sendJson(res, 200, grant(conversation));
    }),
  );

  // Public look of a partner's widget, readable from any page (nothing secret): the widget
  // learns here whether its page may open a conversation, and can say so in French.
  server.get(
    `${DIRECT_LINE_PREFIX}/partners/:partnerId`,
    route(async (req, res) => {
      const id = String(req.params?.partnerId ?? '');
      const config = partners.publicConfig(id);
      if (!config) throw new HttpError(404, 'UnknownPartner', messages.unknownPartner);
      const origin = header(req, 'origin');
      sendJson(res, 200, { ...config, originAllowed: origin ? partners.allows(id, origin) : true });
    }),
  );

  return {
    store,
    close: () => {
      clearInterval(sweep);
      return store.close();
    },
  };
}

function watermarkOf(req: Request): number {
  const value = Number.parseInt(queryParam(req, 'watermark') ?? '0', 10);
  return Number.isFinite(value) && value >= 0 ? value : 0;
}

/** A bot reply as clients read it: plain JSON, the fields Direct Line clients use. */
function toStored(reply: Partial<Activity>, conversationId: string, replyToId: string | undefined): Record<string, unknown> {
  const keep = [
    'type',
    'text',
    'textFormat',
    'locale',
    'speak',
    'inputHint',
    'suggestedActions',
    'attachments',
    'attachmentLayout',
    'name',
    'value',
    'entities',
    'channelData',
  ] as const;
  const stored: Record<string, unknown> = {};
  for (const key of keep) if (reply[key] !== undefined) stored[key] = reply[key];
  const timestamp = reply.timestamp instanceof Date ? reply.timestamp : new Date();
  return {
    ...stored,
    timestamp: timestamp.toISOString(),
    channelId: CHANNEL_ID,
    conversation: { id: conversationId },
    from: { id: reply.from?.id ?? 'aiguillage-bot', name: reply.from?.name ?? 'Aiguillage', role: 'bot' },
    ...(replyToId ? { replyToId } : {}),
  };
}
