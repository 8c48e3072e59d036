import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf, type DoubleCsrfConfigOptions } from 'csrf-csrf';
import type { Config } from '../config';

/**
 * Signed double-submit tokens: the token sits in an httpOnly cookie and, copied, in every form
 * (`_csrf`) or the `X-CSRF-Token` header; the server checks that both match and carry its HMAC.
 * Anonymous shoppers have no session by design (browsing creates no session row), so a guest's
 * token is bound only to its own random cookie. Once signed in, tokens are bound to the account, so
 * a token pair planted before sign-in (through an injected cookie, say) stops working at sign-in.
 */
export function createCsrf(config: Pick<Config, 'sessionSecret'>) {
  const shared: DoubleCsrfConfigOptions = {
    getSecret: () => config.sessionSecret,
    getSessionIdentifier: (req: Request) => (req.session?.userId ? `user:${req.session.userId}` : ''),
    cookieName: 'epicbook.csrf',
    cookieOptions: { sameSite: 'lax', secure: false, httpOnly: true, path: '/' },
  };
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    ...shared,
    getCsrfTokenFromRequest: (req: Request) => {
      const fromForm = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof fromForm === 'string' ? fromForm : req.headers['x-csrf-token'];
    },
  });
  // The JSON API takes its token from the header only: its bodies are data, not forms.
  const { validateRequest: validHeaderToken } = doubleCsrf({
    ...shared,
    getCsrfTokenFromRequest: (req: Request) => req.headers['x-csrf-token'],
  });
  const protect: RequestHandler = doubleCsrfProtection;
  const token = (req: Request, res: Response): string =>
    generateCsrfToken(req, res, { cookieOptions: { secure: req.secure } });
  return { protect, token, validHeaderToken };
}

export type Csrf = ReturnType<typeof createCsrf>;
