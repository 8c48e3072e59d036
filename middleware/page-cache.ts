import type { Request, RequestHandler, Response } from 'express';
import type { ExpressHandlebars } from 'express-handlebars';
import Handlebars from 'handlebars';
import type { CachedPage, Fillers, PageCache, Slotted } from '../services/page-cache';
import { wantsJson } from './errors';
import { SESSION_COOKIE } from './session';

/** The catalog pages' paths (see routes/shop.ts), as Express matches them: any case, optional trailing slash. */
const CATALOG_PATH = /^\/(?:books|gallery|search|books\/[^/]+|category\/[^/]+)?\/?$/i;

const PAGE_PARAMETERS = new Set(['page', 'sort', 'q']);

const EMPTY = Buffer.alloc(0);

/**
 * The catalog page this request asks for (see servePageCache). As res.locals.cacheablePage it may be
 * answered from the cache; as res.locals.pendingPage, which the page locals drop when they could not
 * all be loaded, a render of it may be stored.
 */
interface PendingPage {
  url: string;
  version: number;
  fragments: VisitorFragments;
}

/**
 * The page locals a slot's fragment is rendered from, and nothing else: the anonymous fragments are
 * rendered once per process, so a fragment that read anything more (the page's path, say) would be
 * wrong for most pages. The partials' own comments say the same.
 */
interface VisitorLocals {
  currentUser?: unknown;
  cartCount?: unknown;
  csrfToken?: unknown;
  flash?: unknown;
}

type Template = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

/**
 * The per-visitor fragments of a cached page (views/partials/header-visitor.hbs and flash.hbs),
 * rendered with the compiled partials and helpers of the app's own view engine, so they read exactly
 * as in a full render. Also the stand-ins that put the slot markers in a page rendered for the cache.
 */
export function createVisitorFragments(views: ExpressHandlebars, cache: PageCache) {
  let templates: { visitor: Template; flash: Template; options: Handlebars.RuntimeOptions } | undefined;
  let anonymous: { visitor: Slotted; flash: Buffer } | undefined;
  let loading: Promise<void> | undefined;

  const render = (template: Template, locals: VisitorLocals): string => template(
    { currentUser: locals.currentUser, cartCount: locals.cartCount, csrfToken: locals.csrfToken, flash: locals.flash },
    templates!.options,
  );

  async function load(): Promise<void> {
    const partials = (await views.getPartials({ cache: true })) as Record<string, Template>;
    const visitor = partials['header-visitor'];
    const flash = partials.flash;
    if (typeof visitor !== 'function' || typeof flash !== 'function') throw new Error('views/partials needs header-visitor.hbs and flash.hbs');
    templates = { visitor, flash, options: { helpers: views.helpers, partials: partials as Handlebars.RuntimeOptions['partials'] } };
    // A visitor without a session: no account, an empty cart, no message; the token differs per
    // visitor, so it stays a slot in the fragment.
    const locals: VisitorLocals = { cartCount: 0, csrfToken: cache.markers.token };
    anonymous = { visitor: cache.fragment(render(visitor, locals)), flash: Buffer.from(render(flash, locals)) };
  }

  return {
    /** Partials for res.render that put each slot's marker where its fragment goes. */
    markerPartials: {
      'header-visitor': () => cache.markers.visitor,
      flash: () => cache.markers.flash,
    },

    /** Whether the partials are compiled, so a hit need not wait a tick for ready(). */
    isReady(): boolean {
      return templates !== undefined;
    },

    /** Resolves once the partials are compiled; every method below needs that. */
    ready(): Promise<void> {
      if (templates) return Promise.resolve();
      loading ??= load().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      return loading;
    },

    /** The slots of a visitor without a session. */
    anonymous(token: string): Fillers {
      return { token: Buffer.from(Handlebars.escapeExpression(token)), visitor: anonymous!.visitor, flash: anonymous!.flash };
    },

    /** The slots of this request's visitor, from the page locals (session, account and cart already loaded). */
    forVisitor(locals: VisitorLocals): Fillers {
      const flash = render(templates!.flash, locals);
      return {
        token: Buffer.from(Handlebars.escapeExpression(String(locals.csrfToken))),
        visitor: Buffer.from(render(templates!.visitor, locals)),
        flash: flash ? Buffer.from(flash) : EMPTY,
      };
    },
  };
}

export type VisitorFragments = ReturnType<typeof createVisitorFragments>;

/**
 * Whether the visitor sent a session cookie. Without one there is no account, cart or flash message
 * to show (all live in the session), so a page can be answered before the session and page locals
 * are loaded; with one, only after them (serveCachedPageForVisitor).
 */
function withoutSession(req: Request): boolean {
  return (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE] === undefined;
}

function sendPage(cache: PageCache, res: Response, page: CachedPage, fillers: Fillers, state: 'hit' | 'miss'): void {
  res.locals.cachedRoute = page.route;
  res.set('X-Page-Cache', state);
  res.type('html').send(cache.fill(page, fillers));
}

/**
 * For a catalog GET or HEAD: answers a visitor without a session from the page cache at once. For
 * any other visitor, and on a miss, it tells the rest of the chain which page may answer
 * (res.locals.cacheablePage, see serveCachedPageForVisitor) or be stored (res.locals.pendingPage, see
 * renderPage). Mounted right after the cookie parser (the CSRF token needs the cookies), before the
 * body parsers, sessions and page locals, which an anonymous hit does not need.
 */
export function servePageCache(cache: PageCache, fragments: VisitorFragments, csrfToken: (req: Request, res: Response) => string): RequestHandler {
  return async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !CATALOG_PATH.test(req.path) || wantsJson(req)) {
      next();
      return;
    }
    // Only the parameters the catalog pages read: made-up ones (?x=1, ?x=2, ...) would each be a new
    // entry and could push the popular pages out of the cache.
    if (!Object.keys(req.query).every((key) => PAGE_PARAMETERS.has(key))) {
      next();
      return;
    }
    // Read before the session is: a page stored from before a change the visitor made (a sale, an
    // admin edit) is never served to it afterwards.
    const version = await cache.version();
    if (version === null) {
      next();
      return;
    }
    // The URL exactly as sent: the page carries it (the add-to-cart form's returnTo), so two
    // spellings of one page are two entries.
    const url = req.originalUrl;
    const pending: PendingPage = { url, version, fragments };
    res.locals.cacheablePage = pending;
    res.locals.pendingPage = pending;
    if (!withoutSession(req)) {
      next();
      return;
    }
    const page = cache.get(url, version);
    if (!page) {
      next();
      return;
    }
    if (!fragments.isReady()) await fragments.ready();
    sendPage(cache, res, page, fragments.anonymous(csrfToken(req, res)), 'hit');
  };
}

/**
 * Answers a visitor with a session from the page cache, with its own header, badge, message and
 * token rendered from the page locals. Mounted right after the page locals. It reads
 * cacheablePage, not pendingPage: when the locals could not all be loaded, a stored page (menu
 * included) with the fallback badge is still what a full render would show, only a render must not
 * be stored; and a page with a message is fine to serve, the message having a slot of its own.
 */
export function serveCachedPageForVisitor(cache: PageCache): RequestHandler {
  return async (_req, res, next) => {
    const pending = res.locals.cacheablePage as PendingPage | undefined;
    const page = pending && cache.get(pending.url, pending.version);
    if (!pending || !page) {
      next();
      return;
    }
    if (!pending.fragments.isReady()) await pending.fragments.ready();
    sendPage(cache, res, page, pending.fragments.forVisitor(res.locals), 'hit');
  };
}

/**
 * res.render for the catalog routes. For a request servePageCache marked, the page is rendered with
 * the slot markers, stored if it is a plain 200, and sent with this visitor's slots filled from the
 * page locals (set exactly as for any page).
 */
export async function renderPage(cache: PageCache, req: Request, res: Response, view: string, options: Record<string, unknown>): Promise<void> {
  const pending = res.locals.pendingPage as PendingPage | undefined;
  if (!pending) {
    res.render(view, options);
    return;
  }
  await pending.fragments.ready();
  const html = await new Promise<string>((resolve, reject) => {
    res.render(
      view,
      { ...options, csrfToken: cache.markers.token, partials: pending.fragments.markerPartials },
      (err, rendered) => (err ? reject(err) : resolve(rendered)),
    );
  });
  const fillers = pending.fragments.forVisitor(res.locals);
  if (res.statusCode === 200 && typeof req.route?.path === 'string') {
    sendPage(cache, res, cache.set(pending.url, pending.version, html, req.route.path), fillers, 'miss');
    return;
  }
  res.type('html').send(cache.fill(cache.slotted(html), fillers));
}
