import { createHmac, randomFillSync } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf, type DoubleCsrfConfigOptions } from 'csrf-csrf';
import type { Config } from '../config';

const CSRF_COOKIE = 'epicbook.csrf';
/** A response whose cookie anonymousToken writes itself. */
const COOKIE_IGNORED = { cookie: () => COOKIE_IGNORED } as unknown as Response;
/** csrf-csrf's defaults, which the tokens below are made with: random bytes per token, and the HMAC. */
const TOKEN_RANDOM_BYTES = 32;
const TOKEN_HMAC = 'sha256';

/**
 * Random hex for new tokens, drawn from the CSPRNG a block at a time: one randomBytes call per token
 * was a few percent of a cached page's cost. Each byte is used once.
 */
function pooledRandomHex(): () => string {
  const pool = Buffer.alloc(TOKEN_RANDOM_BYTES * 128);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    offset += TOKEN_RANDOM_BYTES;
    return pool.toString('hex', offset - TOKEN_RANDOM_BYTES, offset);
  };
}

/**
 * Signed double-submit tokens: the token sits in an httpOnly cookie and, copied, in every form
 * (`_csrf`) or the `X-CSRF-Token` header; the server checks that both match and carry its HMAC.
 * Anonymous shoppers have no session by design (browsing creates no session row), so a guest's
 * token is bound only to its own random cookie. Once signed in, tokens are bound to the account, so
 * a token pair planted before sign-in (through an injected cookie, say) stops working at sign-in.
 */
export function createCsrf(config: Pick<Config, 'sessionSecret'>) {
  const shared: DoubleCsrfConfigOptions = {
    getSecret: () => config.sessionSecret,
    getSessionIdentifier: (req: Request) => (req.session?.userId ? `user:${req.session.userId}` : ''),
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', secure: false, httpOnly: true, path: '/' },
  };
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    ...shared,
    getCsrfTokenFromRequest: (req: Request) => {
      const fromForm = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof fromForm === 'string' ? fromForm : req.headers['x-csrf-token'];
    },
  });
  // The JSON API takes its token from the header only: its bodies are data, not forms.
  const { validateRequest: validHeaderToken } = doubleCsrf({
    ...shared,
    getCsrfTokenFromRequest: (req: Request) => req.headers['x-csrf-token'],
  });
  const protect: RequestHandler = doubleCsrfProtection;
  /**
   * What `token` gives a visitor without a session (the token, kept from a still-valid cookie or
   * new), with the Set-Cookie value Express would send for it: for the page cache's hits, which answer
   * before Express's response helpers are worth their cost (middleware/page-cache.ts). The token comes
   * from csrf-csrf itself, so it is the very scheme csrf.protect checks.
   */
  const randomHex = pooledRandomHex();
  const anonymousToken = (cookies: Record<string, string> | undefined, secure: boolean): { token: string; setCookie: string } => {
    const token = cookies?.[CSRF_COOKIE] === undefined ? newAnonymousToken(randomHex()) : generateCsrfToken({ cookies } as Request, COOKIE_IGNORED);
    return { token, setCookie: `${CSRF_COOKIE}=${token}; Path=/; HttpOnly${secure ? '; Secure' : ''}; SameSite=Lax` };
  };
  /**
   * A new token for a visitor with no token cookie (and so no session), as csrf-csrf's
   * generateCsrfToken makes it, from pooled random bytes: the HMAC of the session identifier (none,
   * so '') and the random value, each after its length, joined by '!', then '.' and the random value.
   * test/integration/page-cache*.test.ts post forms with such tokens through csrf.protect.
   */
  const newAnonymousToken = (random: string): string =>
    `${createHmac(TOKEN_HMAC, config.sessionSecret).update(`0!!${random.length}!${random}`).digest('hex')}.${random}`;
  const token = (req: Request, res: Response): string =>
    generateCsrfToken(req, res, { cookieOptions: { secure: req.secure } });
  return { protect, token, anonymousToken, validHeaderToken };
}

export type Csrf = ReturnType<typeof createCsrf>;
