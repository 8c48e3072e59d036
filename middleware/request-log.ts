import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import { arrivalOf } from './arrival';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id: sent as X-Request-Id, written in its log line, quoted by the error page. */
    id?: string;
  }
}

/**
 * The client's address as req.ip gives it (through trusted proxies). Express's req.ip asks the
 * trust-proxy function about the socket's address (parsing it) even when no proxy header came;
 * without the header its answer is the socket's own.
 */
export function clientIp(req: Request): string | undefined {
  return req.headers['x-forwarded-for'] === undefined ? req.socket.remoteAddress : req.ip;
}

type Level = 'error' | 'warn' | 'info';

/** A failed response is an error, a refused one a warning, the rest information. */
function levelOf(status: number, error: Error | undefined): Level {
  return error !== undefined || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/** Static files: nginx serves them in production, and a line each would drown the pages' lines. */
const isAsset = (req: Request): boolean => req.url.startsWith('/assets/');

/**
 * One line per request, in the shape pino-http (which this replaces) wrote, since operators' log
 * searches and test/deploy read it: `req` {id, method, url, remoteAddress, remotePort, userAgent,
 * referer}, `clientIp`, `res` {statusCode}, `err` when it failed, `responseTime` (ms), and the
 * message "request completed", "request aborted" (cut off by the client) or "request errored"
 * (a 5xx, or an error the response emitted).
 *
 * Why not pino-http: it made two child loggers per request (running the bindings through the
 * serializers and the redaction each time) and called its hooks twice; GET /cart for a visitor with
 * a session cost 1.13 main-thread ms with it and 0.92 without (bench/steps.ts, 50 visitors).
 * This writes the same line with one call, when the response is done.
 */
export function createRequestLog(logger: Logger) {
  // A line carries no header, cookie or body, so there is nothing in it to redact; the redaction
  // copies every line object it is given.
  const lines = logger.child({}, { redact: { paths: [] } });

  /**
   * Writes the line for a request whose response has finished or was cut off. `error`: what the
   * response emitted, if it emitted an error; `started`: Date.now() when the request came in.
   */
  function write(req: Request, res: Response, id: string, started: number, error?: Error): void {
    const status = res.statusCode;
    const level = levelOf(status, error);
    if (!lines.isLevelEnabled(level)) return;
    // Built in pino-http's order (its child bindings, then the line's own fields) so lines read alike.
    const line: Record<string, unknown> = {
      req: {
        id,
        method: req.method,
        url: req.originalUrl ?? req.url,
        remoteAddress: req.socket.remoteAddress,
        remotePort: req.socket.remotePort,
        userAgent: req.headers['user-agent'],
        referer: req.headers.referer,
      },
      clientIp: clientIp(req),
      // As pino-http's serializer had it: no status until the headers went out (a request cut off before).
      res: { statusCode: res.headersSent ? status : null },
    };
    if (level === 'error') {
      line.err = error ?? new Error(`failed with status code ${status}`);
      line.responseTime = Date.now() - started;
      lines.error(line, 'request errored');
      return;
    }
    line.responseTime = Date.now() - started;
    lines[level](line, !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted');
  }

  /**
   * Writes the request's line once its response finishes, is cut off, or emits an error, whichever
   * comes first; then calls `done` with whether the response went out in full (for the metrics).
   * `started`: when the request arrived (Date.now()), if before this call: the line's responseTime counts from it.
   */
  function watch(req: Request, res: Response, id: string, done?: (finished: boolean) => void, started = Date.now()): void {
    const complete = (error?: unknown) => {
      res.off('close', complete);
      res.off('finish', complete);
      res.off('error', complete);
      write(req, res, id, started, error instanceof Error ? error : undefined);
      done?.(res.writableFinished);
    };
    // An answer given before the chain may read for a while before it watches: if the client left
    // meanwhile, the response's close has come and gone, and waiting for it would lose the line.
    if (res.destroyed || req.socket.destroyed) {
      complete();
      return;
    }
    res.on('close', complete);
    res.on('finish', complete);
    res.on('error', complete);
  }

  /**
   * For the chain: gives every request its id (req.id and the X-Request-Id header) and logs it,
   * assets apart. An asset's response that emits an error is still logged, as pino-http did.
   */
  const middleware: RequestHandler = (req, res, next) => {
    const id = randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (!isAsset(req)) {
      watch(req, res, id, undefined, arrivalOf(req).ms);
    } else {
      const started = arrivalOf(req).ms;
      res.once('error', (error: unknown) => write(req, res, id, started, error instanceof Error ? error : undefined));
    }
    next();
  };

  return { middleware, watch, write };
}

export type RequestLog = ReturnType<typeof createRequestLog>;
