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
 * The only shape of token this app hands out: the HMAC and the random value, in hex. csrf-csrf
 * accepts a cookie that merely starts with a valid pair ("<hmac>.<random>.anything": it reads the
 * first two parts) and hands the whole value back as the token. Its rest, decoded by the cookie
 * parser, could hold "; Domain=..." (written raw into a page cache hit's Set-Cookie) or a character
 * no header may carry (an ETag built from the token then threw: every catalog page a 500). A
 * cookie of any other shape is treated as no token and replaced.
 */
const TOKEN_SHAPE = /^[0-9a-f]{64}\.[0-9a-f]{64}$/;

/** Whether the visitor's token cookie is missing or not of the shape we issue (so: mint a new one). */
function needsNewToken(cookies: Record<string, unknown> | undefined): boolean {
  const value = cookies?.[CSRF_COOKIE];
  return typeof value !== 'string' || !TOKEN_SHAPE.test(value);
}

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
  const { doubleCsrfProtection, generateCsrfToken, validateRequest: validFormToken } = doubleCsrf({
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
    const token = needsNewToken(cookies) ? newAnonymousToken(randomHex()) : generateCsrfToken({ cookies } as Request, COOKIE_IGNORED);
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
  const token = (req: Request, res: Response): string => {
    const cookies = req.cookies as Record<string, unknown> | undefined;
    // Only a cookie that is there and of the wrong shape needs overwriting; a missing one is minted anyway.
    const overwrite = cookies?.[CSRF_COOKIE] !== undefined && needsNewToken(cookies);
    return generateCsrfToken(req, res, { cookieOptions: { secure: req.secure }, overwrite });
  };
  /**
   * Whether a guest's token (form field or header) and cookie pass the very check `protect` makes
   * of them, for a guest's add answered before the chain (middleware/cart-add.ts). A guest's token is
   * bound to no account, and getSessionIdentifier says so for a request whose session is not loaded:
   * one whose session is loaded (which may be an account's) is refused here, and left to `protect`.
   */
  const validGuestToken = (req: Request): boolean => req.session === undefined && validFormToken(req);
  return { protect, token, anonymousToken, validHeaderToken, validGuestToken };
}

export type Csrf = ReturnType<typeof createCsrf>;
