import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import connectSessionSequelize from 'connect-session-sequelize';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';

declare module 'express-session' {
  interface SessionData {
    /** The random key that owns this visitor's carts and orders; kept when the session id rotates. */
    visitorKey: string;
    /** The signed-in account, if any. Set only after the session id has been regenerated. */
    userId: number;
    flash: { type: 'success' | 'error'; message: string };
  }
}

export const SESSION_COOKIE = 'epicbook.sid';

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/**
 * Sessions live in the database so any worker can serve any request. Nothing is stored (and no
 * cookie is set) until a visitor does something that needs one, like adding to the cart.
 */
export function sessionMiddleware(config: Pick<Config, 'sessionSecret' | 'sessionMaxAgeMs'>, sequelize: Sequelize): RequestHandler {
  const SequelizeStore = connectSessionSequelize(session.Store);
  // disableTouch is in the store's options but not in its type definitions.
  const options: ConstructorParameters<typeof SequelizeStore>[0] & { disableTouch: boolean } = {
    db: sequelize,
    tableName: 'Sessions',
    checkExpirationInterval: FIFTEEN_MINUTES,
    expiration: config.sessionMaxAgeMs,
    // express-session "touches" an unchanged session on every request, which here is a database write
    // per page view (on SQLite it queues behind every cart change and order). It buys nothing: the
    // cookie is renewed only when the session changes (rolling is off), every change is saved with
    // the renewed expiry (see saveSession), and a row kept alive past its cookie serves no one.
    disableTouch: true,
  };
  const store = new SequelizeStore(options);
  return session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      // Secure exactly when the request came over HTTPS (directly or through a trusted proxy).
      secure: 'auto',
      maxAge: config.sessionMaxAgeMs,
    },
  });
}

/** Writes the session before we redirect, so the next page reads the cart we just changed. */
export function saveSession(req: Request): Promise<void> {
  // Renew the expiry first (express-session would only do it as the response ends, after this save),
  // so the stored row lives as long as the cookie the response renews: without touch, saves are
  // what keep a session's row alive.
  req.session.touch();
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

/** A fresh session id with nothing in it: at sign-in and sign-out, so a planted session id is worth nothing. */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

export function flash(req: Request, type: 'success' | 'error', message: string): void {
  req.session.flash = { type, message };
}
