import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import type { Csrf } from '../../middleware/csrf';
import { SESSION_COOKIE } from '../../middleware/session';
import { AppError, BadRequestError, MethodNotAllowedError, UnsupportedMediaTypeError, ValidationError } from '../../lib/errors';
import { apiFieldErrors } from '../../validation/api';

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * POST and PATCH must send JSON, and any other write that carries a body too. HTML forms cannot
 * send JSON, and a cross-site script that tries needs a CORS preflight we never grant, so this
 * alone keeps other sites from writing through the API.
 */
const requireJson: RequestHandler = (req, _res, next) => {
  const needsBody = req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT';
  if ((needsBody || hasBody(req)) && !req.is('application/json')) {
    throw new UnsupportedMediaTypeError('Send the body as JSON, with Content-Type: application/json.');
  }
  next();
};

/**
 * A write that carries the session cookie acts for that shopper, so it must prove it comes from
 * them: the X-CSRF-Token header (the csrfToken of GET /api/cart) with its cookie. A write without
 * the cookie has nothing of anyone's to act on; it starts a new guest session.
 */
function requireCsrf(csrf: Pick<Csrf, 'validHeaderToken'>): RequestHandler {
  return (req, _res, next) => {
    const cookies = req.cookies as Record<string, unknown> | undefined;
    if (typeof cookies?.[SESSION_COOKIE] === 'string' && !csrf.validHeaderToken(req)) {
      throw new AppError(403, 'csrf', 'This request needs a valid X-CSRF-Token header: take csrfToken from GET /api/cart and send it back with the cookies that came with it.');
    }
    next();
  };
}

/** What every write goes through, in this order: the media type, then the CSRF check. */
export function writeGuards(csrf: Pick<Csrf, 'validHeaderToken'>): RequestHandler[] {
  return [requireJson, requireCsrf(csrf)];
}

/** The last handler of a path: any method it does not serve is a 405 that says which ones it does. */
export function onlyMethods(...methods: string[]): RequestHandler {
  const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
  return (_req, res) => {
    res.set('Allow', allowed.join(', '));
    throw new MethodNotAllowedError(allowed);
  };
}

/**
 * Parses a body or query with a schema. Mistakes in `softFields` (a quantity, a shipping address)
 * are 422 like the store's forms; anything else (a bad id, an unknown field, not an object) is 400.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, message: string, softFields: readonly string[] = []): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = apiFieldErrors(parsed.error);
  const hard = Object.keys(fields).some((key) => !softFields.includes(key));
  throw hard ? new BadRequestError(message, fields) : new ValidationError(message, fields);
}
