import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import type { Config } from '../config';

/**
 * Signed double-submit tokens: the token sits in an httpOnly cookie and, copied, in every form
 * (`_csrf`) or the `X-CSRF-Token` header; the server checks that both match and carry its HMAC.
 * Anonymous shoppers have no session by design (browsing creates no session row), so the token is
 * bound to its own random cookie rather than to a session id.
 */
export function createCsrf(config: Pick<Config, 'sessionSecret'>) {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => config.sessionSecret,
    getSessionIdentifier: () => '',
    cookieName: 'epicbook.csrf',
    cookieOptions: { sameSite: 'lax', secure: false, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req: Request) => {
      const fromForm = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof fromForm === 'string' ? fromForm : req.headers['x-csrf-token'];
    },
  });
  const protect: RequestHandler = doubleCsrfProtection;
  const token = (req: Request, res: Response): string =>
    generateCsrfToken(req, res, { cookieOptions: { secure: req.secure } });
  return { protect, token };
}
