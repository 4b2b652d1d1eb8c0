// The security headers of every HTML page, by helmet: the back office (express middleware) and
// the public pages of the bot server (an actor's signed links, the holder's status page, the
// published offer, the widget's demo), whose handlers return a header map. Each gives its own
// Content-Security-Policy, Referrer-Policy and X-Frame-Options; helmet adds its baseline
// (nosniff, Cross-Origin-Opener/Resource-Policy same-origin, Origin-Agent-Cluster,
// X-DNS-Prefetch-Control off, X-Permitted-Cross-Domain-Policies none, X-XSS-Protection 0, no
// X-Powered-By). Strict-Transport-Security is left to the TLS reverse proxy (docs/libraries.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type contentSecurityPolicy, type HelmetOptions } from 'helmet';

export type Directives = Record<string, string[] | typeof contentSecurityPolicy.dangerouslyDisableDefaultSrc>;

export interface PagePolicy {
  /** Content-Security-Policy directives, exactly these (no helmet default directive is added). */
  csp: Directives;
  referrer: 'no-referrer' | 'same-origin' | 'strict-origin-when-cross-origin';
}

export function helmetOptions(policy: PagePolicy): HelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: policy.csp },
    referrerPolicy: { policy: policy.referrer },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: false,
  };
}

/** helmet as express/connect middleware. */
export function helmetMiddleware(policy: PagePolicy): ReturnType<typeof helmet> {
  return helmet(helmetOptions(policy));
}

/**
 * The headers helmet sets for this policy, as a map (for handlers that write their own head):
 * helmet's middleware run once on a recording response. Nothing in these options depends on the
 * request, so the map is the same for every response.
 */
export function helmetHeaders(policy: PagePolicy): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  let done = false;
  helmet(helmetOptions(policy))({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers;
}
