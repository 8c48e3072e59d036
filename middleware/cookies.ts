import type { RequestHandler } from 'express';
import cookieParser from 'cookie-parser';

/**
 * Cookies as plain strings. cookie-parser turns a value that starts with `j:` into parsed JSON, and
 * the CSRF check and express-session both call string methods on the values they read, so a
 * `j:1` cookie (which any client, or a sibling subdomain, can set) made every page a 500. Such
 * values are dropped: the cookie is treated as absent.
 */
export function plainCookies(): RequestHandler {
  const parse = cookieParser();
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      const cookies = req.cookies as Record<string, unknown>;
      for (const [name, value] of Object.entries(cookies)) if (typeof value !== 'string') delete cookies[name];
      next();
    });
  };
}
