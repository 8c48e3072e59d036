import { unsign } from 'cookie-signature';
import type session from 'express-session';
import type { SqlSessionStore } from './session-store';
import { renewalDue } from './session';

/**
 * What a guest's session holds (see middleware/session.ts and its writers in routes/): its cart's
 * owner key, and when its expiry was last pushed back. One holding anything else (an account's
 * userId above all) is left to the chain, which knows what to make of it.
 */
const GUEST_KEYS: ReadonlySet<string> = new Set(['cookie', 'visitorKey', 'renewedAt']);

export interface GuestSessionOptions {
  /** The secret express-session signs its cookie with (config.sessionSecret). */
  secret: string;
  /** The session lifetime express-session is given (config.sessionMaxAgeMs), for the renewal rule. */
  maxAgeMs: number;
}

export interface Guest {
  /** The owner key of the guest's cart; none for a session that never got one. */
  visitorKey: string | undefined;
}

/**
 * Reads a guest's session from its cookie without express-session, for the middleware that answer a
 * guest before the chain: the page cache's (middleware/page-cache.ts, catalog pages), the cart page's
 * (middleware/cart-page.ts) and the add's (middleware/cart-add.ts).
 *
 * It resolves to the guest only when the chain would load this very session and change nothing of it,
 * so that the response it would send differs from the fast one by nothing but its request id: the
 * cookie's signature checks out with the secret exactly as express-session checks it (cookie-signature,
 * the library it uses), the row is there and live by the store's own rules (its read), the session
 * is a guest's (no account), and its expiry is not yet due for renewal (renewing writes the row and
 * sends the cookie again). Anything else resolves to null, and the request goes down the chain; a
 * failed read rejects, and goes down it too.
 */
export function guestSessions(store: Pick<SqlSessionStore, 'read'>, { secret, maxAgeMs }: GuestSessionOptions): (cookie: string) => Promise<Guest | null> {
  return async (cookie) => {
    // express-session reads only a value signed as 's:<id>.<signature>'; any other is a new session.
    if (!cookie.startsWith('s:')) return null;
    const sid = unsign(cookie.slice(2), secret);
    if (!sid) return null;
    const data = await store.read(sid);
    return data && guestOf(data, maxAgeMs);
  };
}

/** The guest a stored session belongs to, or null if the chain should handle it (see guestSessions). */
export function guestOf(data: session.SessionData, maxAgeMs: number, now = Date.now()): Guest | null {
  for (const key of Object.keys(data)) if (!GUEST_KEYS.has(key)) return null;
  const { visitorKey } = data as Partial<session.SessionData>;
  if (visitorKey !== undefined && typeof visitorKey !== 'string') return null;
  // express-session gives the loaded session the stored expiry back as a Date (its store's
  // createSession): what middleware/session.ts's renew then asks renewalDue about. A stored value
  // that is neither a date string nor absent is not something this app wrote.
  const expires = (data.cookie as { expires?: unknown }).expires;
  if (expires !== undefined && expires !== null && typeof expires !== 'string') return null;
  // A stored maxAge would give the loaded cookie an expiry of its own (express-session's Cookie).
  if ('maxAge' in data.cookie) return null;
  if (renewalDue(typeof expires === 'string' ? new Date(expires) : null, maxAgeMs, now)) return null;
  return { visitorKey };
}
