// Test-only: the minimum of XMLHttpRequest (over Node's fetch) that botframework-directlinejs
// needs through rxjs's ajax, plus a WebSocket name (the library reads it even when polling).
// The library itself runs unmodified.
type Handler = ((this: FakeXhr, event: unknown) => void) | null;

class FakeXhr {
  readyState = 0;
  status = 0;
  response: unknown = null;
  responseText = '';
  responseType = '';
  timeout = 0;
  withCredentials = false;
  upload = {};
  onreadystatechange: Handler = null;
  onerror: Handler = null;
  ontimeout: Handler = null;
  private method = 'GET';
  private url = '';
  private readonly headers: Record<string, string> = {};
  private responseHeaders = new Headers();
  private readonly abortController = new AbortController();

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  getResponseHeader(name: string): string | null {
    return this.responseHeaders.get(name);
  }

  abort(): void {
    this.abortController.abort();
  }

  send(body?: string): void {
    const timer = this.timeout > 0 ? setTimeout(() => this.abortController.abort(), this.timeout) : undefined;
    fetch(this.url, { method: this.method, headers: this.headers, body, signal: this.abortController.signal })
      .then(async (res) => {
        this.status = res.status;
        this.responseHeaders = res.headers;
        this.responseText = await res.text();
        this.response = this.responseType === 'json' ? (this.responseText ? JSON.parse(this.responseText) : null) : this.responseText;
        this.readyState = 4;
        this.onreadystatechange?.call(this, {});
      })
      .catch((error: unknown) => {
        this.readyState = 4;
        this.status = 0;
        if ((error as Error).name === 'AbortError' && this.timeout > 0) this.ontimeout?.call(this, {});
        else this.onerror?.call(this, {});
      })
      .finally(() => clearTimeout(timer));
  }
}

export function installXhr(): void {
  const g = globalThis as Record<string, unknown>;
  g.XMLHttpRequest ??= FakeXhr;
  g.WebSocket ??= class {
    constructor() {
      throw new Error('WebSocket non disponible dans ces tests (polling uniquement)');
    }
  };
}
