import type { Request, RequestHandler, Response } from 'express';
import Handlebars from 'handlebars';
import type { PageCache } from '../services/page-cache';
import { wantsJson } from './errors';

/** The catalog pages' paths (see routes/shop.ts), as Express matches them: any case, optional trailing slash. */
const CATALOG_PATH = /^\/(?:books|gallery|search|books\/[^/]+|category\/[^/]+)?\/?$/i;

interface PendingPage {
  url: string;
  version: number;
}

/**
 * A visitor the cache may serve: no cart, not signed in, no flash message waiting. Such a visitor's
 * page differs from any other's only in its CSRF token.
 */
function anonymous(req: Request): boolean {
  const session = req.session;
  return !req.account && !session?.visitorKey && session?.userId === undefined && !session?.flash;
}

/**
 * Answers an anonymous catalog GET or HEAD from the page cache; on a miss it tells renderPage, through
 * res.locals.pendingPage, to store what the route renders. Mounted after sessions and accounts (it
 * needs to know who is asking) and before the page locals, which a hit does not need.
 */
export function servePageCache(cache: PageCache, csrfToken: (req: Request, res: Response) => string): RequestHandler {
  return async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !CATALOG_PATH.test(req.path) || !anonymous(req) || wantsJson(req)) {
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
    res.locals.cachedRoute = page.route;
    res.set('X-Page-Cache', 'hit');
    res.type('html').send(cache.fill(page, Handlebars.escapeExpression(csrfToken(req, res))));
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
