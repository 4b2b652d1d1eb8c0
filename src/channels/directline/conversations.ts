// Direct Line conversations: the activity log clients poll (bounded), the watermark, the
// clientActivityID of recent posts, and a queue so that the turns of one conversation run one
// after the other (two quick posts must not race the bot's state). Idle conversations expire.
// `DirectLineStore` is the port; this file holds the in-memory adapter (one process, the
// default); ./postgresStore.ts the shared one (several instances behind a load balancer).
import { randomBytes } from 'node:crypto';

/** What clients read from GET …/activities: plain JSON. */
export type StoredActivity = Record<string, unknown> & { id: string };

export interface ConversationLimits {
  maxConversations: number;
  /** Oldest activities beyond this are dropped from the log (clients are told via the watermark). */
  maxActivities: number;
  /** Same, for the log's size in bytes (as JSON): memory stays bounded whatever is posted. */
  maxLogBytes: number;
  /** A conversation untouched for this long is forgotten. */
  idleMs: number;
  /** Turns waiting in one conversation's queue beyond this are refused (429). */
  maxQueuedTurns: number;
}

export const DEFAULT_CONVERSATION_LIMITS: ConversationLimits = {
  // At most 2000 × 128 KB of logs: a few tens of megabytes in practice (a conversation is ~20 KB).
  maxConversations: 2000,
  maxActivities: 500,
  maxLogBytes: 128 * 1024,
  idleMs: 60 * 60 * 1000,
  maxQueuedTurns: 10,
};

export class Conversation {
  /** Sequence number of the next activity: the watermark clients hold. */
  private next = 0;
  private readonly log: StoredActivity[] = [];
  private readonly sizes: number[] = [];
  private bytes = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** clientActivityID → activity id of recent posts: a client's retry is not a new message. */
  private readonly clientIds = new Map<string, string>();
  queued = 0;
  lastUsed: number;

  constructor(
    readonly id: string,
    readonly userId: string,
    readonly partnerId: string | undefined,
    private readonly maxActivities: number,
    private readonly maxLogBytes: number,
    now: number,
  ) {
    this.lastUsed = now;
  }

  /** Appends an activity with its Direct Line id (`conversation|0000007`); returns the id. */
  append(activity: Record<string, unknown>): string {
    const id = `${this.id}|${String(this.next).padStart(7, '0')}`;
    this.next += 1;
    const stored = { ...activity, id };
    const size = JSON.stringify(stored).length;
    this.log.push(stored);
    this.sizes.push(size);
    this.bytes += size;
    while (this.log.length > 1 && (this.log.length > this.maxActivities || this.bytes > this.maxLogBytes)) {
      this.log.shift();
      this.bytes -= this.sizes.shift()!;
    }
    return id;
  }

  /** The id already given to a post with this clientActivityID, if it is recent. */
  knownPost(clientActivityId: string): string | undefined {
    return this.clientIds.get(clientActivityId);
  }

  rememberPost(clientActivityId: string, id: string): void {
    this.clientIds.set(clientActivityId, id);
    if (this.clientIds.size > 200) this.clientIds.delete(this.clientIds.keys().next().value!);
  }

  /** Activities from a watermark on, and the watermark to ask for next. */
  since(watermark: number): { activities: StoredActivity[]; watermark: string } {
    const first = this.next - this.log.length;
    const from = Math.max(0, Math.min(this.log.length, watermark - first));
    return { activities: this.log.slice(from), watermark: String(this.next) };
  }

  /** Runs `turn` after the turns already queued for this conversation. */
  enqueue<T>(turn: () => Promise<T>): Promise<T> {
    this.queued += 1;
    const run = this.tail.then(turn, turn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run.finally(() => {
      this.queued -= 1;
    });
  }
}

export class ConversationStore {
  private readonly conversations = new Map<string, Conversation>();

  constructor(
    readonly limits: ConversationLimits = DEFAULT_CONVERSATION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  create(userId: string, partnerId: string | undefined): Conversation {
    this.sweep();
    // Full: forget the least recently used conversation rather than refuse a new visitor.
    while (this.conversations.size >= this.limits.maxConversations) {
      this.conversations.delete(this.conversations.keys().next().value!);
    }
    const id = randomBytes(16).toString('base64url');
    const conversation = new Conversation(id, userId, partnerId, this.limits.maxActivities, this.limits.maxLogBytes, this.now());
    this.conversations.set(id, conversation);
    return conversation;
  }

  /** The conversation if it is still held, without marking it as used. */
  peek(id: string): Conversation | undefined {
    return this.conversations.get(id);
  }

  /** The conversation, marked as used (it moves to the end of the eviction order). */
  get(id: string): Conversation | undefined {
    const conversation = this.conversations.get(id);
    if (!conversation) return undefined;
    if (this.now() - conversation.lastUsed > this.limits.idleMs && conversation.queued === 0) {
      this.conversations.delete(id);
      return undefined;
    }
    conversation.lastUsed = this.now();
    this.conversations.delete(id);
    this.conversations.set(id, conversation);
    return conversation;
  }

  /** Forgets idle conversations (oldest first: the map is in least-recently-used order). */
  sweep(): void {
    const t = this.now();
    for (const [id, conversation] of this.conversations) {
      if (t - conversation.lastUsed <= this.limits.idleMs) break;
      if (conversation.queued === 0) this.conversations.delete(id);
    }
  }

  get size(): number {
    return this.conversations.size;
  }
}

/** What the routes need of a conversation: who holds it, through which partner's site. */
export interface DirectLineConversation {
  readonly id: string;
  readonly userId: string;
  readonly partnerId: string | undefined;
}

export interface ActivityPage {
  activities: StoredActivity[];
  watermark: string;
}

export interface PostResult {
  id: string;
  known: boolean;
  answered: boolean;
}

/** The port: every method may be answered by another instance's writes (PostgreSQL adapter). */
export interface DirectLineStore {
  readonly limits: ConversationLimits;
  create(userId: string, partnerId: string | undefined): Promise<DirectLineConversation>;
  /** The conversation, marked as used; undefined when unknown or idle for too long. */
  get(id: string): Promise<DirectLineConversation | undefined>;
  /** Appends a bot activity; returns its Direct Line id. */
  append(conversationId: string, activity: Record<string, unknown>): Promise<string>;
  /**
   * Appends the holder's activity unless this clientActivityID was already posted (a retry):
   * atomic. `answered`: for a known post, whether its turn completed (else it may run again).
   */
  post(conversationId: string, activity: Record<string, unknown>, clientActivityId?: string): Promise<PostResult>;
  /** The turn of this post completed: a retry of it is only acknowledged from now on. */
  markAnswered(conversationId: string, clientActivityId: string): Promise<void>;
  isAnswered(conversationId: string, clientActivityId: string): Promise<boolean>;
  /** The id already given to a post with this clientActivityID, if recent. */
  knownPost(conversationId: string, clientActivityId: string): Promise<string | undefined>;
  since(conversationId: string, watermark: number): Promise<ActivityPage>;
  /** Runs `turn` after the turns of this conversation already under way (on any instance). */
  runTurn<T>(conversationId: string, turn: () => Promise<T>): Promise<T>;
  /** Turns waiting or running here for this conversation. */
  queued(conversationId: string): number;
  /** Forgets idle conversations. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

/** Today's behaviour: everything in this process's memory (embedded mode). */
export class MemoryDirectLineStore implements DirectLineStore {
  readonly conversations: ConversationStore;

  constructor(limits: ConversationLimits = DEFAULT_CONVERSATION_LIMITS, now: () => number = Date.now) {
    this.conversations = new ConversationStore(limits, now);
  }

  get limits(): ConversationLimits {
    return this.conversations.limits;
  }

  async create(userId: string, partnerId: string | undefined): Promise<DirectLineConversation> {
    return this.conversations.create(userId, partnerId);
  }

  async get(id: string): Promise<DirectLineConversation | undefined> {
    return this.conversations.get(id);
  }

  async append(conversationId: string, activity: Record<string, unknown>): Promise<string> {
    // Evicted meanwhile: the id is given, the activity goes nowhere anyone can read.
    const conversation = this.conversations.peek(conversationId);
    return conversation ? conversation.append(activity) : `${conversationId}|gone`;
  }

  // One process: a known post's turn was queued here and runs (or ran) here; it counts as answered.
  async post(conversationId: string, activity: Record<string, unknown>, clientActivityId?: string): Promise<PostResult> {
    const conversation = this.conversations.peek(conversationId);
    if (!conversation) return { id: `${conversationId}|gone`, known: false, answered: false };
    const known = clientActivityId ? conversation.knownPost(clientActivityId) : undefined;
    if (known) return { id: known, known: true, answered: true };
    const id = conversation.append(activity);
    if (clientActivityId) conversation.rememberPost(clientActivityId, id);
    return { id, known: false, answered: false };
  }

  async markAnswered(): Promise<void> {}

  async isAnswered(conversationId: string, clientActivityId: string): Promise<boolean> {
    return this.conversations.peek(conversationId)?.knownPost(clientActivityId) !== undefined;
  }

  async knownPost(conversationId: string, clientActivityId: string): Promise<string | undefined> {
    return this.conversations.peek(conversationId)?.knownPost(clientActivityId);
  }

  async since(conversationId: string, watermark: number): Promise<ActivityPage> {
    return this.conversations.peek(conversationId)?.since(watermark) ?? { activities: [], watermark: String(watermark) };
  }

  runTurn<T>(conversationId: string, turn: () => Promise<T>): Promise<T> {
    const conversation = this.conversations.peek(conversationId);
    return conversation ? conversation.enqueue(turn) : turn();
  }

  queued(conversationId: string): number {
    return this.conversations.peek(conversationId)?.queued ?? 0;
  }

  async sweep(): Promise<void> {
    this.conversations.sweep();
  }

  async close(): Promise<void> {}
}
