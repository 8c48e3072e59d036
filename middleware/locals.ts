import type { RequestHandler } from 'express';
import type { Logger } from '../logger';
import type { Services } from '../services';
import { wantsJson } from './errors';
import { takeFlash } from './flash';

/**
 * What the layout needs on every page: the CSRF token for forms, the cart badge, the category menu,
 * and a one-time flash message. A failure here must not hide the real error the route will report,
 * so the page falls back to an empty badge and menu.
 */
export function viewLocals(services: Services, csrfToken: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => string, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    if (wantsJson(req)) {
      next();
      return;
    }
    res.locals.csrfToken = csrfToken(req, res);
    res.locals.currentPath = req.originalUrl;
    res.locals.cartCount = 0;
    res.locals.genres = [];
    // A message fills the page's own slot: a page rendered now is stored without it (middleware/page-cache.ts).
    const flash = takeFlash(req, res);
    if (flash) res.locals.flash = flash;
    try {
      const { count, genres } = await badgeAndMenu(services, req.session?.visitorKey);
      res.locals.cartCount = count;
      res.locals.genres = genres;
    } catch (error) {
      logger.warn({ err: error }, 'could not load page locals');
      // A page without its menu must not be stored for every other visitor (see middleware/page-cache.ts).
      delete res.locals.pendingPage;
    }
    next();
  };
}

/**
 * The cart badge's count and the category menu, read together; rejects when either cannot be read.
 * Also what the page cache's answer for a guest reads (app.ts), so that it is served exactly when
 * the locals above would have loaded.
 */
export async function badgeAndMenu(services: Pick<Services, 'cart' | 'catalog'>, visitorKey: string | undefined) {
  const [count, genres] = await Promise.all([services.cart.cartCount(visitorKey), services.catalog.listGenres()]);
  return { count, genres };
}
