import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RequestLog } from './request-log';
import type { Metrics } from '../lib/metrics';
import { headersSetBy } from './page-cache';
import { arrivalOf } from './arrival';
import { asError } from './early-failure';
import { plainCookies } from './cookies';
import { wantsJson } from './errors';
import { SESSION_COOKIE } from './session';

export interface EarlyAnswerDependencies {
  /** The security-header middleware every other response goes through (helmet): an early answer sends what it sets. */
  securityHeaders: RequestHandler;
  /** The request log (middleware/request-log.ts): an early answer's line is the same as any request's. */
  requestLog: Pick<RequestLog, 'watch'>;
  metrics: Pick<Metrics, 'observeRequest'>;
}

/**
 * What a response answered before helmet, the request log and the request metrics (a guest's cart page,
 * middleware/cart-page.ts, and add, middleware/cart-add.ts) does itself of what they do for every other one: helmet's headers
 * (learned once, as the page cache's hits send them), the X-Request-Id, the request log line (the
 * request log's own, so that log searches find every request alike), and the request metrics
 * under the route pattern the router would have matched.
 */
export function earlyAnswers({ securityHeaders, requestLog, metrics }: EarlyAnswerDependencies) {
  const learned = headersSetBy(securityHeaders);
  return {
    /**
     * Sets helmet's headers and a request id on a response that will be answered early, in the
     * order the chain sets them, and logs and measures it when it is done.
     */
    begin(req: Request, res: Response, route: string): void {
      const id = randomUUID();
      const arrived = arrivalOf(req);
      // The error handler quotes it if sending fails after this point.
      req.id = id;
      for (const [name, value] of learned) res.setHeader(name, value);
      res.setHeader('X-Request-Id', id);
      // Logged like any request (a response cut off by the client too); the metrics count finished ones.
      requestLog.watch(req, res, id, (finished) => {
        if (finished) metrics.observeRequest(req.method, route, res.statusCode, Number(process.hrtime.bigint() - arrived.ns) / 1e9);
      }, arrived.ms);
    },
  };
}

export type EarlyAnswers = ReturnType<typeof earlyAnswers>;

/** Answers a request early, or passes it on; rejects only for a failure after its answer began. */
export type EarlyAnswer = (req: Request, res: Response, next: NextFunction, sessionCookie: string) => Promise<void>;

/**
 * The front of an early answer for a guest: only a request with one of `methods` for exactly `url`
 * (no query string, no other spelling), with a session cookie and from a client that does not want
 * JSON, reaches `answer`, its cookies parsed by the chain's own parser; anything else goes down the
 * chain untouched. A failure after the answer began goes to the error handler.
 */
export function guestRequests(methods: readonly string[], url: string, answer: EarlyAnswer): RequestHandler {
  const parseCookies = plainCookies();
  return (req, res, next) => {
    if (!methods.includes(req.method) || req.url !== url || req.headers.cookie === undefined) {
      next();
      return;
    }
    parseCookies(req, res, (error?: unknown) => {
      const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      if (error || cookie === undefined || wantsJson(req)) {
        next();
        return;
      }
      answer(req, res, next, cookie).catch((failure: unknown) => {
        next(asError(failure));
      });
    });
  };
}
