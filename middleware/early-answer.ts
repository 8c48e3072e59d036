import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import type { Metrics } from '../lib/metrics';
import { headersSetBy } from './page-cache';

export interface EarlyAnswerDependencies {
  /** The security-header middleware every other response goes through (helmet): an early answer sends what it sets. */
  securityHeaders: RequestHandler;
  logger: Logger;
  metrics: Pick<Metrics, 'observeRequest'>;
}

/** When a request reached the middleware that answers it early. */
export interface Started {
  ms: number;
  ns: bigint;
}

/**
 * What a response answered before helmet, pino-http and the request metrics (a guest's cart page,
 * middleware/cart-page.ts) does itself of what they do for every other one: helmet's headers
 * (learned once, as the page cache's hits send them), the X-Request-Id, the request log line in
 * pino-http's shape (app.ts) so that log searches find every request alike, and the request metrics
 * under the route pattern the router would have matched.
 */
export function earlyAnswers({ securityHeaders, logger, metrics }: EarlyAnswerDependencies) {
  const learned = headersSetBy(securityHeaders);
  // The line holds no header, cookie or body, so nothing in it to redact (as the page cache's hits).
  const lineLogger = logger.child({}, { redact: { paths: [] } });

  const logLine = (req: Request, started: Started, id: string, status: number) => {
    lineLogger.info({
      req: {
        id,
        method: req.method,
        url: req.originalUrl,
        remoteAddress: req.socket.remoteAddress,
        remotePort: req.socket.remotePort,
        userAgent: req.headers['user-agent'],
        referer: req.headers.referer,
      },
      // req.ip parses the socket's address through the trust-proxy function; without a proxy header its answer is the socket's own.
      clientIp: req.headers['x-forwarded-for'] === undefined ? req.socket.remoteAddress : req.ip,
      res: { statusCode: status },
      responseTime: Date.now() - started.ms,
    }, 'request completed');
  };

  return {
    /** Taken when the request arrives, for the log line's responseTime and the latency metric. */
    start(): Started {
      return { ms: Date.now(), ns: process.hrtime.bigint() };
    },

    /**
     * Sets helmet's headers and a request id on a response that will be answered early, in the
     * order the chain sets them, and logs and measures it when it is done.
     */
    begin(req: Request, res: Response, route: string, started: Started): void {
      const id = randomUUID();
      for (const [name, value] of learned) res.setHeader(name, value);
      res.setHeader('X-Request-Id', id);
      res.on('close', () => {
        // Like pino-http: a response cut off by the client is logged too; the metrics count finished ones.
        logLine(req, started, id, res.statusCode);
        if (res.writableFinished) metrics.observeRequest(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started.ns) / 1e9);
      });
    },
  };
}

export type EarlyAnswers = ReturnType<typeof earlyAnswers>;
