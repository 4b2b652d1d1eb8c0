// The Direct Line REST calls the widget makes (fetch, no cookie, no credentials).
export interface Activity {
  id?: string;
  type: string;
  text?: string;
  from?: { id?: string; role?: string };
  suggestedActions?: { actions?: { title?: string; value?: unknown; type?: string }[] };
  /** clientActivityID on the visitor's own messages; the bot's may carry `aiguillage` options. */
  channelData?: { clientActivityID?: string; aiguillage?: unknown };
}

export interface Session {
  conversationId: string;
  token: string;
  /** When the token was issued (ms), to refresh it in time. */
  tokenAt: number;
  userId: string;
}

export interface PartnerConfig {
  id: string;
  name: string;
  greetingName: string;
  colors: { primary: string; accent?: string };
  originAllowed: boolean;
}

/** status 0: the network failed (offline, server down, or a CORS refusal). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter = 0,
  ) {
    super(`HTTP ${status}`);
  }
}

const TIMEOUT_MS = 20_000;

export class Client {
  private readonly base: string;

  constructor(server: string) {
    this.base = `${server}/v3/directline`;
  }

  partner(id: string): Promise<PartnerConfig> {
    return this.call('GET', `/partners/${encodeURIComponent(id)}`);
  }

  async start(partner: string, userId: string): Promise<Session> {
    const r = await this.call<{ conversationId: string; token: string }>('POST', '/conversations', undefined, {
      user: { id: userId },
      partner,
    });
    return { conversationId: r.conversationId, token: r.token, tokenAt: Date.now(), userId };
  }

  async refresh(session: Session): Promise<void> {
    const r = await this.call<{ token: string }>('POST', '/tokens/refresh', session.token);
    session.token = r.token;
    session.tokenAt = Date.now();
  }

  async post(session: Session, activity: Record<string, unknown>): Promise<string> {
    const r = await this.call<{ id: string }>('POST', `/conversations/${session.conversationId}/activities`, session.token, activity);
    return r.id;
  }

  activities(session: Session, watermark: number): Promise<{ activities: Activity[]; watermark?: string }> {
    return this.call('GET', `/conversations/${session.conversationId}/activities?watermark=${watermark}`, session.token);
  }

  private async call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
        cache: 'no-store',
        signal: abort.signal,
      });
    } catch {
      throw new ApiError(0);
    } finally {
      clearTimeout(timer);
    }
    if (!res.ok) throw new ApiError(res.status, Number(res.headers.get('Retry-After')) || 0);
    return (await res.json()) as T;
  }
}
