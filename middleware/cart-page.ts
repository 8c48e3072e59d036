import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Metrics } from '../lib/metrics';
import type { Views } from '../lib/view-engine';
import { viewHelpers } from '../lib/view-helpers';
import type { Services } from '../services';
import type { CartView } from '../services/cart';
import { CART_VIEW, cartPageValues } from '../routes/cart';
import { guestRequests, type EarlyAnswers } from './early-answer';
import { clearFlashCookie, FLASH_COOKIE, openFlash, type Flash } from './flash';
import type { Guest } from './guest-session';
import type { VisitorFragments } from './page-cache';

/** The one URL answered here, exactly: any other spelling of it, or a query string, goes down the chain. */
const CART_URL = '/cart';
/** The route pattern the router matches it with (routes/cart.ts), for the request metrics. */
const CART_ROUTE = '/cart';

const SLOTS = ['visitor', 'flash', 'body', 'token'] as const;
type Slot = (typeof SLOTS)[number];

/**
 * The layout of the cart page rendered once, cut where each request's own content goes: the header's
 * account links and badge (header-visitor), the message (flash), the view (body) and any CSRF
 * token. What is left (the category menu above all, and the footer's year) is the same for every
 * guest until the catalog's menu or the year changes.
 */
interface Shell {
  genres: unknown;
  year: unknown;
  parts: Buffer[];
  slots: Slot[];
}

/** What the chain's page locals (middleware/locals.ts) hold for a guest's cart page. */
interface PageLocals {
  csrfToken: string;
  currentPath: string;
  cartCount: number;
  genres: unknown;
  flash?: Flash;
}

export interface CartPageDependencies {
  views: Pick<Views, 'page'>;
  fragments: VisitorFragments;
  services: { cart: Pick<Services['cart'], 'getCart'>; catalog: Pick<Services['catalog'], 'listGenres'> };
  /** The guest whose session cookie this is, or null when the chain must load it (middleware/guest-session.ts). */
  guest: (cookie: string) => Promise<Guest | null>;
  /** A guest's CSRF token from its cookies, with the Set-Cookie the chain would send for it (csrf.anonymousToken). */
  csrfToken: (cookies: Record<string, string> | undefined, secure: boolean) => { token: string; setCookie: string };
  /** What flash cookies are signed with (config.sessionSecret). */
  flashSecret: string;
  early: EarlyAnswers;
  metrics: Pick<Metrics, 'earlyCartPage'>;
}

/**
 * Answers GET (and HEAD) /cart for a guest with a live session before the middleware chain, with
 * the response the chain would send, byte for byte, headers included (but its request id and date).
 *
 * A guest's cart page is what the bench's cart scenario asks for after every add, and the chain in
 * front of the route (helmet, the request log, express-session, the page locals, CSRF) cost most of its
 * 1.1 ms of main thread. Here the session is verified and read as express-session would read it
 * (guest), the cart in one statement (getCart, whose count is the badge, as the route sets it),
 * the category menu as the page locals read it, and the page is put together
 * as res.render puts it together: the view rendered for this request, and the layout, rendered once
 * with markers where the per-request parts go, around it.
 * The headers are the chain's: helmet's, the request id, the CSRF cookie, the cleared flash cookie
 * when a message came, and the content type, length and ETag from Express's own res.send (which
 * answers a matching If-None-Match with a 304, as it does for a render).
 *
 * Anything else goes down the chain untouched (its cookies parsed already): no session cookie, a
 * cookie express-session would not accept, no live row, an account's session, one due for renewal
 * (the chain writes it and sends its cookie), a client that wants JSON, any query string, a failed
 * read, templates not yet compiled, or a render that throws.
 */
export function serveCartPage(deps: CartPageDependencies): RequestHandler {
  const { views, fragments, services, guest, csrfToken, flashSecret, early, metrics } = deps;
  // Random per process, so that no content (a title, a message) can contain one.
  const nonce = randomBytes(16).toString('hex');
  const markers: Readonly<Record<Slot, string>> = {
    visitor: `cart-visitor-${nonce}`,
    flash: `cart-flash-${nonce}`,
    body: `cart-body-${nonce}`,
    token: `cart-token-${nonce}`,
  };
  const slotOf = new Map<string, Slot>(SLOTS.map((slot) => [markers[slot], slot]));
  const anyMarker = new RegExp(`(${SLOTS.map((slot) => markers[slot]).join('|')})`);
  const markerPartials = { 'header-visitor': () => markers.visitor, flash: () => markers.flash };
  let shell: Shell | undefined;

  /** What res.render hands the engine: app.locals, the page locals, the render's values, and the cache flag (Express's app.render). */
  const renderContext = (req: Request, locals: object, values: object) =>
    ({ ...req.app.locals, ...locals, ...values, _locals: locals, cache: req.app.enabled('view cache') });

  /** The layout for this request's menu and year, rendered again only when either changed; undefined where views.page is. */
  function shellFor(req: Request, locals: PageLocals, values: object): Shell | undefined {
    const year = viewHelpers.year();
    if (shell && shell.genres === locals.genres && shell.year === year) return shell;
    const marked: PageLocals = { csrfToken: markers.token, currentPath: locals.currentPath, cartCount: 0, genres: locals.genres };
    const layout = views.page(CART_VIEW, { ...renderContext(req, marked, values), partials: markerPartials })?.layout;
    if (!layout) return undefined;
    // With the capturing group, split alternates text and the marker found: text, marker, text, ...
    const pieces = layout(markers.body).split(anyMarker);
    shell = {
      genres: locals.genres,
      year,
      parts: pieces.filter((_, i) => i % 2 === 0).map((text) => Buffer.from(text)),
      slots: pieces.filter((_, i) => i % 2 === 1).map((marker) => slotOf.get(marker)!),
    };
    return shell;
  }

  /** The page for this request, or undefined when the views cannot put it together as res.render would. */
  function render(req: Request, locals: PageLocals, cart: CartView): Buffer | undefined {
    const values = cartPageValues(cart);
    const page = views.page(CART_VIEW, renderContext(req, locals, values));
    const layout = page?.layout && shellFor(req, locals, values);
    if (!page || !layout) return undefined;
    const fillers: Record<Slot, Buffer> = { ...fragments.forVisitor(locals), body: Buffer.from(page.view()) };
    const out: Buffer[] = [layout.parts[0]];
    for (let i = 0; i < layout.slots.length; i += 1) out.push(fillers[layout.slots[i]], layout.parts[i + 1]);
    return Buffer.concat(out);
  }

  /** Resolves once the request is answered or passed on; rejects only for a failure after the answer began. */
  async function answer(req: Request, res: Response, next: NextFunction, cookie: string): Promise<void> {
    let visitor: Guest | null;
    let cart: CartView;
    let genres: unknown;
    try {
      visitor = await guest(cookie);
      if (!visitor) {
        metrics.earlyCartPage('chain');
        next();
        return;
      }
      [cart, genres] = await Promise.all([
        services.cart.getCart(visitor.visitorKey),
        services.catalog.listGenres(),
        fragments.isReady() ? undefined : fragments.ready(),
      ]);
    } catch {
      // The chain reads again and answers as it does when the database is away (its error page).
      metrics.earlyCartPage('error');
      next();
      return;
    }
    const cookies = req.cookies as Record<string, string>;
    const { token, setCookie } = csrfToken(cookies, req.secure);
    const flashCookie = cookies[FLASH_COOKIE];
    const flash = flashCookie === undefined ? null : openFlash(flashSecret, flashCookie);
    const locals: PageLocals = { csrfToken: token, currentPath: req.originalUrl, cartCount: cart.itemCount, genres, ...(flash ? { flash } : {}) };
    let html: Buffer | undefined;
    try {
      html = render(req, locals, cart);
    } catch {
      html = undefined;
    }
    if (!html) {
      // The chain renders it and reports a template's failure as any page's.
      metrics.earlyCartPage('error');
      next();
      return;
    }
    // Nothing was set on the response before this point; from here on it is this answer's.
    early.begin(req, res, CART_ROUTE);
    // In the chain's order: the page locals clear the message's cookie at once and make the token as the page renders.
    if (flashCookie !== undefined) clearFlashCookie(res);
    res.append('Set-Cookie', setCookie);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    metrics.earlyCartPage('early');
    res.send(html);
  }

  // Only sending can fail once the answer began, after helmet's headers were set: the error handler answers.
  return guestRequests(['GET', 'HEAD'], CART_URL, answer);
}
