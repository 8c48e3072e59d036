import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { Config } from '../config';
import type { Database } from '../db/connection';
import { SqlSessionStore } from './session-store';

declare module 'express-session' {
  interface SessionData {
    /** The random key that owns this visitor's carts and orders; kept when the session id rotates. */
    visitorKey: string;
    /** The signed-in account, if any. Set only after the session id has been regenerated. */
    userId: number;
    /**
     * When the session's expiry was last pushed back without another change (ms since the epoch).
     * Changing it is what makes express-session save the row and send the cookie again (see renew).
     */
    renewedAt: number;
  }
}

export const SESSION_COOKIE = 'epicbook.sid';

/** The session's contents as saved, without the cookie (whose expiry changes on every save). */
const savedState = new WeakMap<object, string>();

function contents(sess: session.Session & Partial<session.SessionData>): string {
  const { cookie: _cookie, ...data } = sess;
  return JSON.stringify(data);
}

/** The app's one session store, over `db` (its periodic purge stops when the database closes). */
export function createSessionStore(config: Pick<Config, 'sessionMaxAgeMs'>, db: Database): SqlSessionStore {
  const store = new SqlSessionStore(db, { maxAgeMs: config.sessionMaxAgeMs });
  db.onClose(() => store.close());
  return store;
}

/**
 * Sessions live in the database so any worker can serve any request. Nothing is stored (and no
 * cookie is set) until a visitor does something that needs one, like adding to the cart; after that
 * a session is written only when its contents change, or (at most once per half lifetime) to push
 * its expiry back for a visitor who keeps coming.
 */
export function sessionMiddleware(config: Pick<Config, 'sessionSecret' | 'sessionMaxAgeMs'>, store: SqlSessionStore): RequestHandler {
  const maxAgeMs = config.sessionMaxAgeMs;
  const load = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    // Without rolling, express-session sends the cookie (with a renewed Expires) only when it saves
    // the session, so the browser's cookie and the stored row always expire together.
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      // Secure exactly when the request came over HTTPS (directly or through a trusted proxy).
      secure: 'auto',
      maxAge: maxAgeMs,
    },
  });
  return (req, res, next) => {
    load(req, res, (error?: unknown) => {
      if (error || !req.session) {
        next(error);
        return;
      }
      savedState.set(req.session, contents(req.session));
      renew(req, maxAgeMs);
      next();
    });
  };
}

/**
 * Sessions are saved only when they change, so a shopper who only browses would see the session
 * expire a lifetime after its last change, however often they come. Once less than half its
 * lifetime is left, the session is marked changed: express-session then saves it with a fresh
 * expiry and sends the cookie with the same one. One write per half lifetime, not one per request.
 */
function renew(req: Request, maxAgeMs: number): void {
  if (renewalDue(req.session.cookie.expires, maxAgeMs)) req.session.renewedAt = Date.now();
}

/**
 * Whether a session whose cookie expires at `expires` has less than half its lifetime left, so that
 * renew marks it changed (an invalid date counts as due; no expiry, a browser-session cookie, never
 * is). The answers for guests before the chain ask too (catalog pages, the cart page): a renewal
 * writes the row and sends the cookie, which only the chain does.
 */
export function renewalDue(expires: Date | null | undefined, maxAgeMs: number, now = Date.now()): boolean {
  if (!expires) return false;
  return !(expires.getTime() - now >= maxAgeMs / 2);
}

/**
 * Writes the session before we redirect, so the next page reads what we just changed (express-session
 * would save only as the response ends, and a browser may follow the redirect before that). A
 * session whose contents did not change is not written: its row and cookie are still good.
 */
export function saveSession(req: Request): Promise<void> {
  const sess = req.session;
  const now = contents(sess);
  const before = savedState.get(sess);
  // A session this request created or regenerated is new to the store: worth a row only with something in it.
  if (before === undefined ? now === '{}' : before === now) return Promise.resolve();
  // Renew the expiry first (express-session would only do it as the response ends, after this save),
  // so the stored row lives as long as the cookie the response renews.
  sess.touch();
  return new Promise((resolve, reject) => sess.save((err) => {
    if (err) {
      reject(err);
      return;
    }
    savedState.set(sess, now);
    resolve();
  }));
}

/** A fresh session id with nothing in it: at sign-in and sign-out, so a planted session id is worth nothing. */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

/**
 * Signs the browser out of its session altogether: the row is deleted and the cookie cleared, so
 * the id is worth nothing and the visitor is an anonymous one again (no session read per request,
 * and catalog pages from the page cache). The next thing that needs a session starts a new one.
 */
export async function endSession(req: Request, res: Response): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
}
