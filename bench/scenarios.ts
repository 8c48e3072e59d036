import type { IncomingHttpHeaders } from 'node:http';
import type autocannon from 'autocannon';
import type { ScenarioName } from './report';
import { Visitor, formBody, headerValues } from './visitor';

type Request = autocannon.Request;
type Headers = Request['headers'];

/** What the harness found on the running store before the first scenario. */
export interface StoreMap {
  categoryPath: string;
  bookPath: string;
  booksLastPagePath: string;
  searchPaths: string[];
  /** Canonical pages of the books the cart and checkout scenarios buy (their stock was raised). */
  buyablePaths: Array<{ id: number; path: string }>;
  adminCookie: string;
  /** The shipping email of this run's orders, so the database can tell them apart. */
  orderEmail: string;
}

/** Counts what autocannon cannot: answers with the wrong shape, and confirmed orders. */
export class Tally {
  wrong = 0;
  /** Orders confirmed by the redirect to the order page. */
  orders = 0;
  /** Order posts sent and answered (any answer): the difference was cut off by the end of the run. */
  orderPostsSent = 0;
  orderPostsAnswered = 0;
  readonly problems: string[] = [];

  note(problem: string): void {
    this.wrong += 1;
    if (this.problems.length < 5) this.problems.push(problem);
  }
}

export interface ScenarioPlan {
  name: ScenarioName;
  /** Options for autocannon beyond url, connections and duration. */
  options: Partial<autocannon.Options>;
}

const SHIPPING = {
  fullName: 'Bench Shopper',
  addressLine1: '1 Load Street',
  addressLine2: '',
  city: 'Springfield',
  state: 'IL',
  zipCode: '62701',
};

/** Lines in a bench visitor's cart before it leaves and a new visitor arrives. */
const CART_LINES_PER_VISITOR = 10;

function withCookies(visitor: Visitor, extra: Record<string, string> = {}): Headers {
  const cookie = visitor.cookieHeader();
  return { ...extra, ...(cookie ? { cookie } : {}) };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A GET page step: keeps the cookies and the form token, and insists on the status. */
function page(visitor: Visitor, tally: Tally, pathOf: () => string, expect = 200, before?: () => void): Request {
  return {
    method: 'GET',
    setupRequest: (request) => {
      before?.();
      return { ...request, path: pathOf(), headers: withCookies(visitor) };
    },
    onResponse: (status, body, _context, headers) => {
      visitor.remember(headers as IncomingHttpHeaders);
      visitor.readToken(body);
      if (status !== expect) tally.note(`GET ${pathOf()} answered ${status}, expected ${expect}`);
    },
  };
}

interface PostHooks {
  onRedirect?: (location: string) => void;
  onSent?: () => void;
  onAnswered?: () => void;
}

/** A POST form step that must answer with a redirect; `onRedirect` sees where to. */
function post(visitor: Visitor, tally: Tally, path: string, fields: () => Record<string, string | number>, hooks: PostHooks = {}): Request {
  return {
    method: 'POST',
    path,
    // Without a token from the page before, the step cannot be built: autocannon then restarts the
    // sequence and counts a reset, which the harness treats as an error.
    setupRequest: (request) => {
      if (!visitor.csrfToken) return null as unknown as Request;
      hooks.onSent?.();
      return { ...request, headers: withCookies(visitor, FORM), body: formBody({ _csrf: visitor.csrfToken, ...fields() }) };
    },
    onResponse: (status, _body, _context, headers) => {
      hooks.onAnswered?.();
      visitor.remember(headers as IncomingHttpHeaders);
      const location = headerValues(headers as IncomingHttpHeaders, 'location')[0];
      if (status !== 303 || !location) tally.note(`POST ${path} answered ${status}, expected a 303 redirect`);
      else hooks.onRedirect?.(location);
    },
  };
}

function plainGet(name: ScenarioName, paths: string[], headers: Record<string, string> = {}): ScenarioPlan {
  return { name, options: { requests: paths.map((path) => ({ method: 'GET', path, headers })) } };
}

/**
 * An anonymous visitor per connection: opens a book page, adds the book, views the cart; after
 * ten different books it leaves and a new visitor (no cookies) takes its place.
 */
function cartScenario(store: StoreMap, tally: Tally): ScenarioPlan {
  let clients = 0;
  return {
    name: 'cart',
    options: {
      // Each connection gets its own visitor and its own copy of the sequence.
      setupClient: (client) => {
        const visitor = new Visitor();
        let next = clients++ % store.buyablePaths.length;
        let adds = 0;
        const book = () => store.buyablePaths[next];
        client.setRequests([
          page(visitor, tally, () => book().path, 200, () => {
            if (adds >= CART_LINES_PER_VISITOR) {
              visitor.forget();
              adds = 0;
            }
          }),
          post(visitor, tally, '/cart/items', () => ({ bookId: book().id, quantity: 1, returnTo: '/cart' }), {
            onRedirect: () => {
              adds += 1;
              next = (next + 1) % store.buyablePaths.length;
            },
          }),
          page(visitor, tally, () => '/cart'),
        ]);
      },
      requests: [{ method: 'GET', path: '/' }],
    },
  };
}

/**
 * Each order a new visitor with a fresh cart: book page (token) → add → checkout page → place the
 * order. An order counts only when the store answers with the redirect to its order page.
 */
function checkoutScenario(store: StoreMap, tally: Tally): ScenarioPlan {
  let clients = 0;
  return {
    name: 'checkout',
    options: {
      setupClient: (client) => {
        const visitor = new Visitor();
        let next = clients++ % store.buyablePaths.length;
        const book = () => store.buyablePaths[next];
        client.setRequests([
          page(visitor, tally, () => book().path, 200, () => {
            visitor.forget();
            next = (next + 1) % store.buyablePaths.length;
          }),
          post(visitor, tally, '/cart/items', () => ({ bookId: book().id, quantity: 1, returnTo: '/cart' })),
          page(visitor, tally, () => '/checkout'),
          post(visitor, tally, '/checkout', () => ({ ...SHIPPING, email: store.orderEmail }), {
            onSent: () => {
              tally.orderPostsSent += 1;
            },
            onAnswered: () => {
              tally.orderPostsAnswered += 1;
            },
            onRedirect: (location) => {
              if (/^\/orders\/\d+$/.test(location)) tally.orders += 1;
              else tally.note(`POST /checkout redirected to ${location}, not to an order`);
            },
          }),
        ]);
      },
      requests: [{ method: 'GET', path: '/' }],
    },
  };
}

export function scenarioPlans(store: StoreMap, tally: (name: ScenarioName) => Tally): ScenarioPlan[] {
  return [
    plainGet('home', ['/']),
    plainGet('category', [store.categoryPath]),
    plainGet('book', [store.bookPath]),
    plainGet('search', store.searchPaths),
    plainGet('books-last-page', [store.booksLastPagePath]),
    cartScenario(store, tally('cart')),
    checkoutScenario(store, tally('checkout')),
    plainGet('admin-dashboard', ['/admin'], { cookie: store.adminCookie }),
  ];
}
