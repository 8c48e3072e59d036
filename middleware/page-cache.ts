import { createHash, randomUUID } from 'node:crypto';
import type { OutgoingHttpHeader } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ExpressHandlebars } from 'express-handlebars';
import Handlebars from 'handlebars';
import { LRUCache } from 'lru-cache';
import type { RequestLog } from './request-log';
import type { Metrics } from '../lib/metrics';
import { stockTexts, type CachedPage, type PageCache, type Slotted, type VisitorFillers } from '../services/page-cache';
import { plainCookies } from './cookies';
import { wantsJson } from './errors';
import { FLASH_COOKIE } from './flash';
import { SESSION_COOKIE } from './session';
import { arrivalOf } from './arrival';

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

/** A guest's header fragment for one cart count, with the hash of it that goes in the ETag (ownTag). */
export interface GuestHeader {
  visitor: Buffer;
  own: string;
}

/**
 * How many cart counts keep their rendered guest header. A count can be anything up to 50 lines of
 * 99 copies, but most carts hold a few books; a count past these is rendered again when it comes back.
 */
const GUEST_HEADERS = 128;

/**
 * The part of a session visitor's ETag that covers its own header and message: a short hash of
 * them, so that any change to either changes the validator.
 */
function ownTag(visitor: Buffer, flash: Buffer): string {
  return createHash('sha1').update(visitor).update(flash).digest('base64url').slice(0, 16);
}

/**
 * The per-visitor fragments of a cached page (views/partials/header-visitor.hbs and flash.hbs),
 * rendered with the compiled partials and helpers of the app's own view engine, so they read exactly
 * as in a full render. Also the stand-ins that put the slot markers in a page rendered for the cache.
 */
export function createVisitorFragments(views: ExpressHandlebars, cache: PageCache) {
  let templates: { visitor: Template; flash: Template; options: Handlebars.RuntimeOptions } | undefined;
  let anonymous: { visitor: Slotted; flash: Buffer } | undefined;
  let loading: Promise<void> | undefined;
  // Wrapped, since the cache holds no null (a fragment it must not serve).
  const guests = new LRUCache<number, { header: GuestHeader | null }>({ max: GUEST_HEADERS });

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

    /** The slots of a visitor without a session, given its token as it goes in the page (escaped). */
    anonymous(escapedToken: string): VisitorFillers {
      return { token: Buffer.from(escapedToken), visitor: anonymous!.visitor, flash: anonymous!.flash };
    },

    /**
     * The header of a guest (a visitor with a session and no account) whose cart holds `count`
     * books, rendered once per count: without an account, header-visitor.hbs shows only the count
     * (the token is in the sign-out form alone). Null if it ever holds the token: then the full chain
     * answers such a guest (forVisitor).
     */
    forGuest(count: number): GuestHeader | null {
      let entry = guests.get(count);
      if (!entry) {
        const fragment = cache.fragment(render(templates!.visitor, { cartCount: count, csrfToken: cache.markers.token }));
        const visitor = fragment.slots.length === 0 ? fragment.parts[0] : undefined;
        entry = { header: visitor ? { visitor, own: ownTag(visitor, EMPTY) } : null };
        guests.set(count, entry);
      }
      return entry.header;
    },

    /** The slots of this request's visitor, from the page locals (session, account and cart already loaded). */
    forVisitor(locals: VisitorLocals): { token: Buffer; visitor: Buffer; flash: Buffer } {
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

export interface PageCacheDependencies {
  cache: PageCache;
  fragments: VisitorFragments;
  /** A visitor's CSRF token from its cookies, with the Set-Cookie value for it (csrf.anonymousToken). */
  csrfToken: (cookies: Record<string, string> | undefined, secure: boolean) => { token: string; setCookie: string };
  /** The security-header middleware every other response goes through (helmet): a hit sends what it sets. */
  securityHeaders: RequestHandler;
  /** The request log (middleware/request-log.ts): a hit's line is the same as any request's. */
  requestLog: Pick<RequestLog, 'watch'>;
  metrics: Metrics;
  /**
   * The cart count of the guest this session cookie belongs to, when the chain would load that session
   * and leave it as it is; null when it would not, or rejects (see middleware/guest-session.ts). Without
   * it, every visitor with a session is answered after the chain.
   */
  guestBadge?: (sessionCookie: string) => Promise<number | null>;
}

/**
 * Who the visitor is, as far as answering before the chain goes: 'anonymous' without a session
 * cookie or a flash cookie (no account, cart or message to show); the session cookie's value for a
 * visitor with one and no message, who may be a guest (see guestBadge); null for a visitor with a
 * message, whose page is answered only after the session and page locals (serveCachedPageForVisitor),
 * which fill its header and message slots (and clear the message's cookie). A browser still sending
 * the cookie of an emptied or forged session gets what the session layer makes of it.
 */
function visitorOf(req: Request): 'anonymous' | { sessionCookie: string } | null {
  const cookies = req.cookies as Record<string, string> | undefined;
  if (cookies?.[FLASH_COOKIE] !== undefined) return null;
  const sessionCookie = cookies?.[SESSION_COOKIE];
  return sessionCookie === undefined ? 'anonymous' : { sessionCookie };
}

/**
 * The headers `middleware` sets on every response, learned once by running it against a stand-in
 * response. Only for middleware whose headers do not depend on the request (helmet with static
 * directives, as in app.ts); one that calls anything else of `res`, or does not finish at once, fails
 * here, at start-up, instead of sending a hit without its headers.
 */
export function headersSetBy(middleware: RequestHandler): Array<[string, string]> {
  const headers = new Map<string, [string, string]>();
  let finished = false;
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers.set(name.toLowerCase(), [name, String(value)]);
      return recorder;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  middleware({} as Request, recorder as unknown as Response, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  if (!finished) throw new Error('the security headers middleware did not finish synchronously');
  return [...headers.values()];
}

/**
 * The stored copy as this response fills it for every visitor: its tag (a hash of the stored copy,
 * taken once) and the count in its stock slots, which the tag does not cover.
 */
function contentTag(page: CachedPage, count: number | null): string {
  return count === null ? page.tag : `${page.tag}.${count}`;
}

/**
 * A validator for the page as this visitor gets it, without hashing the body per hit: the stored
 * copy's tag with its stock count, for a visitor with a session the hash of its own header and
 * message (ownTag), and the end of the token's random half. A returning visitor whose CSRF cookie is
 * still valid gets the same token back, so the same page gets the same ETag and a conditional GET is
 * answered 304, as Express's body hash allowed before; any other visitor's page differs by its token,
 * and a page whose count has changed by its count, and so does its ETag.
 */
function etagOf(page: CachedPage, count: number | null, token: string, own?: string): string {
  return `W/"${contentTag(page, count)}${own === undefined ? '' : `-${own}`}-${token.slice(-16)}"`;
}

/**
 * The current count for a stored page's stock slots: null for a page without any; undefined when
 * the stored copy must not be served (a new render is due, or the count could not be read, in which
 * case the page is also no longer marked to be stored or served from the cache).
 */
async function currentStock(cache: PageCache, page: CachedPage, res: Response): Promise<number | null | undefined> {
  if (!page.stock) return null;
  try {
    return await cache.stockCount(page.stock);
  } catch {
    // As when the stamp cannot be read: the route reads the database itself, and a failure there
    // is reported through the error page; never a count that could be wrong.
    delete res.locals.cacheablePage;
    delete res.locals.pendingPage;
    return undefined;
  }
}

/** Express's freshness rule (the fresh package) for a response with an ETag and no Last-Modified. */
function notModified(req: Request, etag: string): boolean {
  const match = req.headers['if-none-match'];
  if (!match) return false;
  if (/(?:^|,)\s*no-cache\s*(?:,|$)/.test(req.headers['cache-control'] ?? '')) return false;
  if (match.trim() === '*') return true;
  const opaque = etag.slice(2);
  return match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}

/**
 * req.secure. Express's asks the trust-proxy function about the socket's address (parsing it) even
 * when no proxy header came; without the header its answer is the socket's own.
 */
function isSecure(req: Request): boolean {
  return req.headers['x-forwarded-proto'] === undefined ? (req.socket as TLSSocket).encrypted === true : req.secure;
}

const byteLength = (pieces: Buffer[]): number => pieces.reduce((sum, piece) => sum + piece.length, 0);

/**
 * Ends the response with the page's pieces, written as they are: no page-sized buffer per hit. The
 * socket is corked until end(), so they still leave in one write.
 */
function writePieces(req: Request, res: Response, pieces: Buffer[]): void {
  if (req.method === 'HEAD' || pieces.length === 0) {
    res.end();
    return;
  }
  res.cork();
  for (let i = 0; i < pieces.length - 1; i += 1) res.write(pieces[i]);
  res.end(pieces[pieces.length - 1]);
}

/**
 * For a catalog GET or HEAD: answers a visitor without a session from the page cache at once, and a
 * guest (a session with a cart, no account, no message) as soon as its session and cart count are
 * read (guestBadge). For any other visitor, and on a miss, it tells the rest of the chain which page
 * may answer (res.locals.cacheablePage, see serveCachedPageForVisitor) or be stored
 * (res.locals.pendingPage, see renderPage).
 *
 * Mounted as the app's first middleware: a hit needs nothing of what follows (helmet, the request log, the
 * router's walk through every other mount, the session), and those were most of a hit's cost. So a
 * hit does itself the little of that it needs: the security headers helmet sets (learned once), a
 * request id, the request log line and the request metrics. Anything else goes
 * on down the chain untouched, apart from its cookies being parsed here already.
 *
 * A guest's hit is what the chain would send for it (serveCachedPageForVisitor, after express-session
 * and the page locals), byte for byte apart from the request id: the same token (a guest's, like an
 * anonymous visitor's, is bound to no account), its header for its cart count, no message, the same
 * ETag; and no session cookie, which express-session sends only when it saves the session
 * (rolling is off), which it does not for a session it loaded and left unchanged.
 */
export function servePageCache({ cache, fragments, csrfToken, securityHeaders, requestLog, metrics, guestBadge }: PageCacheDependencies): RequestHandler {
  const parseCookies = plainCookies();
  // Flat name/value lists for writeHead: the same every hit, built once.
  const learned = headersSetBy(securityHeaders);
  const notModifiedHeaders: string[] = [...learned.flat(), 'X-Page-Cache', 'hit'];
  const pageHeaders: string[] = [...notModifiedHeaders, 'Content-Type', 'text/html; charset=utf-8'];

  /** `guest`: the guest's header; none for an anonymous visitor. */
  const sendHit = (req: Request, res: Response, page: CachedPage, count: number | null, guest?: GuestHeader) => {
    const arrived = arrivalOf(req);
    const id = randomUUID();
    // Logged like any request (a response cut off by the client too); the metrics count finished ones.
    requestLog.watch(req, res, id, (finished) => {
      if (finished) metrics.observeRequest(req.method, page.route, res.statusCode, Number(process.hrtime.bigint() - arrived.ns) / 1e9);
    }, arrived.ms);
    const { token: raw, setCookie } = csrfToken(req.cookies as Record<string, string> | undefined, isSecure(req));
    const token = Handlebars.escapeExpression(raw);
    const etag = etagOf(page, count, token, guest?.own);
    // Every header in one list, none set before: writeHead then skips building a header map.
    if (notModified(req, etag)) {
      // As Express answers a conditional GET: no body and no content headers.
      res.writeHead(304, [...notModifiedHeaders, 'X-Request-Id', id, 'Set-Cookie', setCookie, 'ETag', etag] as unknown as OutgoingHttpHeader[]);
      res.end();
      return;
    }
    const visitor = guest ? { token: Buffer.from(token), visitor: guest.visitor, flash: EMPTY } : fragments.anonymous(token);
    const pieces = cache.pieces(page, { ...visitor, ...cache.stockFillers(count) });
    res.writeHead(200, [...pageHeaders, 'X-Request-Id', id, 'Set-Cookie', setCookie, 'Content-Length', String(byteLength(pieces)), 'ETag', etag] as unknown as OutgoingHttpHeader[]);
    writePieces(req, res, pieces);
  };

  /** The request's cookies are parsed (if it sent any): a hit, or a page marked for the rest of the chain, or on down it. */
  const answer = (req: Request, res: Response, next: NextFunction) => {
    if (wantsJson(req)) {
      next();
      return;
    }
    // Only the parameters the catalog pages read: made-up ones (?x=1, ?x=2, ...) would each be a new
    // entry and could push the popular pages out of the cache.
    if (!Object.keys(req.query).every((key) => PAGE_PARAMETERS.has(key))) {
      next();
      return;
    }
    cache.version().then((version) => {
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
      // With a session the chain may take over: it looks the page up after the session and page
      // locals, against this version, read as the request began, so nothing the visitor changed
      // before is missed. A guest's session and cart are read after it too.
      const visitor = visitorOf(req);
      const guest = visitor !== 'anonymous' && visitor !== null && guestBadge ? visitor : undefined;
      const page = visitor === 'anonymous' || guest ? cache.get(url, version) : undefined;
      if (!page) {
        next();
        return;
      }
      // A page is stored only after a render, which waited for the fragments: this wait is for form.
      const send = (count: number | null, header?: GuestHeader) => {
        if (fragments.isReady()) sendHit(req, res, page, count, header);
        else return fragments.ready().then(() => sendHit(req, res, page, count, header));
      };
      const withStock = (header?: GuestHeader) => {
        if (!page.stock) return send(null, header);
        return currentStock(cache, page, res).then((count) => {
          if (count === undefined) next();
          else return send(count, header);
        });
      };
      if (!guest) return withStock();
      return guestBadge!(guest.sessionCookie).then(
        // Null: not a guest, or a session the chain must touch.
        (badge) => (badge === null ? null : fragments.ready().then(() => fragments.forGuest(badge))),
        // The session or the cart could not be read: the chain reads them again, and answers a
        // failure its own way (an error page, or the page with an empty badge).
        () => null,
      ).then((header) => {
        if (header === null) next();
        else return withStock(header);
      });
    }, () => {
      // The stamps could not be read: no caching; the route reads the database itself and reports
      // the failure through the error page, with every header the chain sets.
      next();
    }).catch((error: unknown) => {
      // A bug in answering a hit is an error response, never an unhandled rejection. The error
      // handler is reached without passing helmet (mounted after this), so its page gets the
      // security headers here: an error page is no reason to drop the CSP or frame-ancestors.
      if (!res.headersSent) for (const [name, value] of learned) res.setHeader(name, value);
      next(error);
    });
  };

  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !CATALOG_PATH.test(req.path)) {
      next();
      return;
    }
    // Most anonymous requests come without cookies: nothing to parse (and no session).
    if (req.headers.cookie === undefined) {
      answer(req, res, next);
      return;
    }
    parseCookies(req, res, (error?: unknown) => {
      if (error) next();
      else answer(req, res, next);
    });
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
  return async (req, res, next) => {
    const pending = res.locals.cacheablePage as PendingPage | undefined;
    const page = pending && cache.get(pending.url, pending.version);
    if (!pending || !page) {
      next();
      return;
    }
    const count = await currentStock(cache, page, res);
    if (count === undefined) {
      next();
      return;
    }
    if (!pending.fragments.isReady()) await pending.fragments.ready();
    const fillers = pending.fragments.forVisitor(res.locals);
    res.locals.cachedRoute = page.route;
    res.setHeader('X-Page-Cache', 'hit');
    // The validator covers what this visitor sees: the stored page with its count, its own header
    // and message (a small hash each time, not the page's), and its token. Express answers 304 from
    // it (req.fresh).
    res.setHeader('ETag', etagOf(page, count, fillers.token.toString(), ownTag(fillers.visitor, fillers.flash)));
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    const pieces = cache.pieces(page, { ...fillers, ...cache.stockFillers(count) });
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Length', byteLength(pieces));
    writePieces(req, res, pieces);
  };
}

/**
 * res.render for the catalog routes. For a request servePageCache marked, the page is rendered with
 * the slot markers, stored if it is a plain 200, and sent with this visitor's slots filled from the
 * page locals (set exactly as for any page).
 *
 * A page that shows a book's stock passes it as `stock`, with the count the route read; the view
 * shows it through the locals `stockCount` and `maxQuantity`, which are slot markers in the stored
 * copy and this count in what is sent.
 */
export async function renderPage(
  cache: PageCache,
  req: Request,
  res: Response,
  view: string,
  options: Record<string, unknown>,
  stock: { bookId: number; count: number } | null = null,
): Promise<void> {
  const pending = res.locals.pendingPage as PendingPage | undefined;
  if (!pending) {
    const texts = stock && stockTexts(stock.count);
    res.render(view, texts ? { ...options, stockCount: texts.stock, maxQuantity: texts.stockLimit } : options);
    return;
  }
  await pending.fragments.ready();
  const markers = stock && { stockCount: cache.markers.stock, maxQuantity: cache.markers.stockLimit };
  const html = await new Promise<string>((resolve, reject) => {
    res.render(
      view,
      { ...options, ...markers, csrfToken: cache.markers.token, partials: pending.fragments.markerPartials },
      (err, rendered) => (err ? reject(err) : resolve(rendered)),
    );
  });
  const fillers = { ...pending.fragments.forVisitor(res.locals), ...cache.stockFillers(stock && stock.count) };
  if (res.statusCode === 200 && typeof req.route?.path === 'string') {
    const page = cache.set(pending.url, pending.version, html, req.route.path, stock);
    res.set('X-Page-Cache', 'miss');
    res.type('html').send(cache.fill(page, fillers));
    return;
  }
  res.type('html').send(cache.fill(cache.slotted(html), fillers));
}
