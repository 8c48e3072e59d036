import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import type { Services } from '../services';
import { wantsJson } from './errors';
import { takeFlash } from './flash';

const PAGE_LOCALS = Symbol('page locals');

interface PageLocalsState {
  load: () => Promise<void>;
  loading?: Promise<void>;
}

type WithPageLocals = Response & { [PAGE_LOCALS]?: PageLocalsState };

type RenderCallback = (err: Error, html: string) => void;

/**
 * What the layout needs on every page: the CSRF token for forms, the cart badge, the category menu,
 * and a one-time flash message.
 *
 * The token, the badge and the menu are loaded only when a page is rendered (res.render waits for
 * them, or a caller awaits loadPageLocals): a POST that redirects, most of the writes, reads neither
 * (two statements and a cookie, about a tenth of a millisecond of the main thread per request). A
 * route that already knows the cart's count (the cart page) sets res.locals.cartCount itself, and
 * no badge query runs. The message is taken at once, as before: a request that brought one uses it
 * up whether or not it renders.
 *
 * A failure to load must not hide the real error the route will report, so the page falls back to an
 * empty badge and menu.
 */
export function viewLocals(services: Services, csrfToken: (req: Request, res: Response) => string, logger: Logger): RequestHandler {
  async function load(req: Request, res: Response): Promise<void> {
    res.locals.csrfToken = csrfToken(req, res);
    const known = res.locals.cartCount as unknown;
    try {
      const { count, genres } = typeof known === 'number'
        ? { count: known, genres: await services.catalog.listGenres() }
        : await badgeAndMenu(services, req.session?.visitorKey);
      res.locals.cartCount = count;
      res.locals.genres = genres;
    } catch (error) {
      logger.warn({ err: error }, 'could not load page locals');
      res.locals.cartCount = typeof known === 'number' ? known : 0;
      res.locals.genres = [];
      // A page without its menu must not be stored for every other visitor (see middleware/page-cache.ts).
      delete res.locals.pendingPage;
    }
  }

  return (req, res, next) => {
    if (wantsJson(req)) {
      next();
      return;
    }
    res.locals.currentPath = req.originalUrl;
    // A message fills the page's own slot: a page rendered now is stored without it (middleware/page-cache.ts).
    const flash = takeFlash(req, res);
    if (flash) res.locals.flash = flash;
    (res as WithPageLocals)[PAGE_LOCALS] = { load: () => load(req, res) };
    const render = res.render as (this: Response, view: string, options?: object, callback?: RenderCallback) => void;
    res.render = function renderWithPageLocals(this: Response, view: string, options?: unknown, callback?: unknown) {
      const done = (typeof options === 'function' ? options : callback) as RenderCallback | undefined;
      const given = typeof options === 'function' ? undefined : (options as object | undefined);
      loadPageLocals(req, res)
        .then(
          () => render.call(this, view, given, done),
          (error: unknown) => {
            // As Express's render reports a failure: to the callback, or on to the error handler.
            if (!done) throw error;
            done(error as Error, '');
          },
        )
        // What would have been thrown at the route, which Express 5 hands to the error handler, is
        // thrown here a tick later: it goes there too, never an unhandled rejection.
        .catch((error: unknown) => req.next?.(error));
    } as Response['render'];
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

/**
 * Loads the page locals now (once per request; later calls share the first). For what renders a page
 * without res.render, or must know before rendering whether the locals could be loaded (the page
 * cache: a page rendered without its menu is not stored). Does nothing for a request the page locals
 * do not serve (the JSON API, or one that failed before reaching them). If the first load threw (the
 * CSRF token could not be made), that caller gets the error and later ones, like the error page's
 * render, go ahead without it.
 */
export function loadPageLocals(_req: Request, res: Response): Promise<void> {
  const state = (res as WithPageLocals)[PAGE_LOCALS];
  if (!state) return Promise.resolve();
  if (!state.loading) {
    state.loading = state.load().catch((error: unknown) => {
      state.loading = Promise.resolve();
      throw error;
    });
  }
  return state.loading;
}

/**
 * Loads the page locals before the rest of the chain for the requests `needed` picks: the catalog
 * pages the page cache may answer or store (middleware/page-cache.ts fills a hit's header from them
 * and must drop a render whose menu could not be loaded before it stores it).
 */
export function pageLocalsFor(needed: (res: Response) => boolean): RequestHandler {
  return (req, res, next) => {
    if (!needed(res)) {
      next();
      return;
    }
    loadPageLocals(req, res).then(() => next(), next);
  };
}
