import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { BaseError, ConnectionError, TimeoutError } from 'sequelize';
import type { Logger } from '../logger';
import { isSqlDriverError } from '../db/sql';
import { AppError, NotFoundError, ServiceUnavailableError, TooManyRequestsError, isAppError } from '../lib/errors';

export const notFound: RequestHandler = () => {
  throw new NotFoundError();
};

// Express routes /API/Books to the /api router too, so the API's errors must match the same way.
const API_PATH = /^\/api(?:\/|$)/i;

export function wantsJson(req: Request): boolean {
  return API_PATH.test(req.path) || req.accepts(['html', 'json']) === 'json';
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  code?: string;
  type?: string;
  message?: string;
}

// Driver codes that mean "the database is unreachable right now", not "this query is wrong".
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST',
  'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK', 'SQLITE_BUSY',
]);

function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  if (error instanceof BaseError) {
    const e = error as { parent?: { code?: string }; original?: { code?: string } };
    const code = e.parent?.code ?? e.original?.code;
    return code !== undefined && UNAVAILABLE_CODES.has(code);
  }
  // The drivers' own errors, as plain SQL (db/sql.ts) and its transactions' BEGIN and COMMIT throw
  // them; only those: another socket error with the same code is no reason to blame the database.
  const code = (error as { code?: unknown } | null)?.code;
  return isSqlDriverError(error) && typeof code === 'string' && UNAVAILABLE_CODES.has(code);
}

/** Turns whatever was thrown into an operational error, or null for a programmer error (a bug). */
function classify(error: unknown): AppError | null {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) return new ServiceUnavailableError();
  const e = (error ?? {}) as HttpishError;
  const status = e.status ?? e.statusCode;
  if (e.code === 'EBADCSRFTOKEN') {
    return new AppError(403, 'csrf', 'This form has expired or did not come from our site. Please go back, reload the page and try again.');
  }
  if (e.type === 'entity.too.large') return new AppError(413, 'too_large', 'That request is too large.');
  if (e.type === 'entity.parse.failed') return new AppError(400, 'bad_request', 'We could not read that request.');
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
    return new AppError(415, 'unsupported_media_type', 'We cannot read that charset or content encoding; send UTF-8.');
  }
  // Express, the router and body-parser mark client mistakes with a 4xx status (a URL with a broken
  // %-escape, say). Their own messages may name internals, so we show ours.
  if (error instanceof URIError) return new AppError(400, 'bad_request', 'That address is not valid.');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(status, 'bad_request', 'We could not handle that request.');
  }
  return null;
}

const TITLES: Record<number, string> = {
  400: 'That request did not make sense',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'That did not work',
  429: 'Please slow down',
  413: 'Too large',
  422: 'Please check what you entered',
  503: 'We will be right back',
};

/** The one place errors become responses: an HTML page or `{"error": {...}}`, never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = classify(error);
    const status = known?.status ?? 500;
    const code = known?.code ?? 'internal';
    const message = known?.message ?? 'Something went wrong on our side. We have been told about it; please try again.';
    const requestId = String(req.id ?? '');
    if (!known) logger.error({ err: error, reqId: requestId }, 'unhandled error');
    else if (status >= 500) logger.warn({ err: error, reqId: requestId }, message);

    res.status(status);
    if (status === 503) res.set('Retry-After', '5');
    if (known instanceof TooManyRequestsError) res.set('Retry-After', String(known.retryAfterSeconds));
    if (wantsJson(req)) {
      res.json({ error: { code, message, ...(known?.fields ? { fields: known.fields } : {}) } });
      return;
    }
    const view = status === 404 ? 'errors/404' : status >= 500 && status !== 503 ? 'errors/500' : 'errors/error';
    res.render(view, { title: TITLES[status] ?? 'Something went wrong', message, status, requestId }, (renderError, html) => {
      if (renderError) {
        logger.error({ err: renderError, reqId: requestId }, 'error page failed to render');
        res.type('text/plain').send(message);
        return;
      }
      res.send(html);
    });
  };
}
