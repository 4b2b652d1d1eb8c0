// Direct Line conversations kept in memory: the activity log clients poll (bounded), the
// watermark, and a queue so that the turns of one conversation run one after the other
// (two quick posts must not race the bot's state). Idle conversations expire.
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
