import { unsign } from 'cookie-signature';
import type session from 'express-session';
import type { Database } from '../db/connection';
import { readSession } from './session-store';
import { renewalDue } from './session';

/**
 * The keys a guest's stored session may hold (middleware/session.ts): the cookie, the cart's owner
 * key, and when the expiry was last pushed back. A session with any other (an account's userId
 * above all) is the chain's to handle.
 */
const GUEST_KEYS: ReadonlySet<string> = new Set(['cookie', 'visitorKey', 'renewedAt']);

export interface GuestSessionOptions {
  /** What express-session signs its cookie with (config.sessionSecret). */
  secret: string;
  /** The lifetime express-session gives a session (config.sessionMaxAgeMs), for the renewal rule. */
  maxAgeMs: number;
}

export interface Guest {
  /** The owner key of the guest's carts; undefined for a session that never got one. */
  visitorKey: string | undefined;
}

/**
 * A guest's session read from its cookie without express-session, for a middleware that answers a
 * guest's page before the chain does (middleware/cart-page.ts).
 *
 * It resolves to the guest only when the chain would load this very session and leave it as it is,
 * so that what it sends would differ from the early answer in nothing but its request id: the
 * cookie's signature checks out as express-session checks it (`s:` then cookie-signature, the
 * library it uses, with the same secret), the row is there and live by the store's own rules
 * (readSession), it is a guest's, and its renewal is not due (renewing writes the row and sends the
 * cookie). Otherwise it resolves to null and the request goes down the chain; a failed read rejects.
 */
export function guestSessions(db: Database, { secret, maxAgeMs }: GuestSessionOptions): (cookie: string) => Promise<Guest | null> {
  return async (cookie) => {
    // express-session reads only a value signed as 's:<id>.<signature>'; any other starts a new session.
    if (!cookie.startsWith('s:')) return null;
    const sid = unsign(cookie.slice(2), secret);
    if (!sid) return null;
    const data = await readSession(db, sid);
    return data && guestOf(data, maxAgeMs);
  };
}

/** The guest a stored session belongs to, or null when it is the chain's to handle (see guestSessions). */
export function guestOf(data: session.SessionData, maxAgeMs: number, now = Date.now()): Guest | null {
  for (const key of Object.keys(data)) if (!GUEST_KEYS.has(key)) return null;
  const { visitorKey } = data as Partial<session.SessionData>;
  if (visitorKey !== undefined && typeof visitorKey !== 'string') return null;
  // express-session turns a stored expiry string back into a Date (its store's createSession), and
  // renew asks renewalDue about that Date. Any other stored value was not written by this app.
  const expires: unknown = data.cookie.expires;
  if (expires !== undefined && expires !== null && typeof expires !== 'string') return null;
  // A stored maxAge would give the loaded cookie an expiry of its own (express-session's Cookie).
  if ('maxAge' in data.cookie) return null;
  if (renewalDue(typeof expires === 'string' ? new Date(expires) : null, maxAgeMs, now)) return null;
  return { visitorKey };
}
