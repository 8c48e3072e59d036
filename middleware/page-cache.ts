import type { Request, RequestHandler, Response } from 'express';
import Handlebars from 'handlebars';
import type { PageCache } from '../services/page-cache';
import { wantsJson } from './errors';
import { SESSION_COOKIE } from './session';

/** The catalog pages' paths (see routes/shop.ts), as Express matches them: any case, optional trailing slash. */
const CATALOG_PATH = /^\/(?:books|gallery|search|books\/[^/]+|category\/[^/]+)?\/?$/i;

const PAGE_PARAMETERS = new Set(['page', 'sort', 'q']);

interface PendingPage {
  url: string;
  version: number;
}

/**
 * A visitor the cache may serve: one without a session cookie. Every per-visitor thing a page shows
 * besides the CSRF token (a cart, an account, a flash message) lives in the session, and a session
 * always comes with its cookie; a browser still sending the cookie of an emptied session is simply
 * rendered for, as before. Deciding this from the cookie alone lets a hit skip loading the session.
 */
function withoutSession(req: Request): boolean {
  return (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE] === undefined;
}

/**
 * Answers an anonymous catalog GET or HEAD from the page cache; on a miss it tells renderPage, through
 * res.locals.pendingPage, to store what the route renders. Mounted right after the cookie parser
 * (the CSRF token needs the cookies), before the body parsers, sessions and page locals, which a hit
 * does not need.
 */
export function servePageCache(cache: PageCache, csrfToken: (req: Request, res: Response) => string): RequestHandler {
  return async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !CATALOG_PATH.test(req.path) || !withoutSession(req) || wantsJson(req)) {
      next();
      return;
    }
    // Only the parameters the catalog pages read: made-up ones (?x=1, ?x=2, ...) would each be a new
    // entry and could push the popular pages out of the cache.
    if (!Object.keys(req.query).every((key) => PAGE_PARAMETERS.has(key))) {
      next();
      return;
    }
    const version = await cache.version();
    if (version === null) {
      next();
      return;
    }
    // The URL exactly as sent: the page carries it (the add-to-cart form's returnTo), so two
    // spellings of one page are two entries.
    const url = req.originalUrl;
    const page = cache.get(url, version);
    if (!page) {
      res.locals.pendingPage = { url, version } satisfies PendingPage;
      next();
      return;
    }
    const token = Handlebars.escapeExpression(csrfToken(req, res));
    res.locals.cachedRoute = page.route;
    res.set('X-Page-Cache', 'hit');
    res.type('html').send(cache.fill(page, token));
  };
}

/**
 * res.render for the catalog routes. For a request servePageCache marked, the page is rendered with
 * the placeholder token, stored if it is a plain 200, and sent with the visitor's own token (set by
 * the page locals exactly as for any page).
 */
export async function renderPage(cache: PageCache, req: Request, res: Response, view: string, options: Record<string, unknown>): Promise<void> {
  const pending = res.locals.pendingPage as PendingPage | undefined;
  if (!pending) {
    res.render(view, options);
    return;
  }
  const html = await new Promise<string>((resolve, reject) => {
    res.render(view, { ...options, csrfToken: cache.placeholder }, (err, rendered) => (err ? reject(err) : resolve(rendered)));
  });
  if (res.statusCode === 200 && typeof req.route?.path === 'string') {
    cache.set(pending.url, pending.version, html, req.route.path);
    res.set('X-Page-Cache', 'miss');
  }
  res.send(html.split(cache.placeholder).join(Handlebars.escapeExpression(String(res.locals.csrfToken))));
}
