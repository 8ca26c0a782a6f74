import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** The header that carries the session token on every state-changing request. */
export const TOKEN_HEADER = 'x-console-token';

/** A fresh token per console process: 32 random bytes, hex. */
export const newSessionToken = () => randomBytes(32).toString('hex');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The hosts a page of this console is served as: loopback by address or name, on our port. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/**
 * Guards every request. Host must be this console on loopback (a DNS-rebinding page reaches us under
 * its own name: refused). A state-changing request must carry the session token in a header, which
 * only a page we served can read (it is in the page, never in a cookie a browser would attach to a
 * request from another origin), and a browser's Origin, when sent, must be ours too.
 */
export function guard(token: string, port: () => number): MiddlewareHandler {
  return async (c, next) => {
    const hosts = allowedHosts(port());
    const host = c.req.header('host') ?? '';
    if (!hosts.has(host))
      return c.json({ error: `refused: host ${host || '(none)'} is not this console` }, 403);
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin !== undefined && !hosts.has(origin.replace(/^http:\/\//, ''))) {
      return c.json({ error: `refused: a request from ${origin} cannot change anything here` }, 403);
    }
    if (!sameToken(c.req.header(TOKEN_HEADER), token)) {
      return c.json({ error: 'refused: this request does not carry the console session token' }, 403);
    }
    return next();
  };
}
