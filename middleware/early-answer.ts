import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { RequestLog } from './request-log';
import type { Metrics } from '../lib/metrics';
import { headersSetBy } from './page-cache';
import { arrivalOf } from './arrival';

export interface EarlyAnswerDependencies {
  /** The security-header middleware every other response goes through (helmet): an early answer sends what it sets. */
  securityHeaders: RequestHandler;
  /** The request log (middleware/request-log.ts): an early answer's line is the same as any request's. */
  requestLog: Pick<RequestLog, 'watch'>;
  metrics: Pick<Metrics, 'observeRequest'>;
}

/**
 * What a response answered before helmet, the request log and the request metrics (a guest's cart page,
 * middleware/cart-page.ts) does itself of what they do for every other one: helmet's headers
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
