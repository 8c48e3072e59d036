import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeader } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import Handlebars from 'handlebars';
import type { Logger } from '../logger';
import type { Metrics } from '../lib/metrics';
import type { CachedPage, PageCache } from '../services/page-cache';
import { plainCookies } from './cookies';
import { wantsJson } from './errors';
import { SESSION_COOKIE } from './session';
import { hasFlashCookie } from './flash';

/** The catalog pages' paths (see routes/shop.ts), as Express matches them: any case, optional trailing slash. */
const CATALOG_PATH = /^\/(?:books|gallery|search|books\/[^/]+|category\/[^/]+)?\/?$/i;

const PAGE_PARAMETERS = new Set(['page', 'sort', 'q']);

interface PendingPage {
  url: string;
  version: number;
}

export interface PageCacheDependencies {
  cache: PageCache;
  /** A visitor's CSRF token from its cookies, with the Set-Cookie value for it (csrf.anonymousToken). */
  csrfToken: (cookies: Record<string, string> | undefined, secure: boolean) => { token: string; setCookie: string };
  /** The security-header middleware every other response goes through (helmet): a hit sends what it sets. */
  securityHeaders: RequestHandler;
  logger: Logger;
  metrics: Metrics;
}

/**
 * A visitor the cache may serve: one without a session cookie or a flash cookie. Every per-visitor
 * thing a page shows besides the CSRF token (a cart, an account) lives in the session, and a session
 * always comes with its cookie; a browser still sending the cookie of an emptied session is simply
 * rendered for, as before. A one-time message (signed out, say) comes in its own cookie, maybe
 * without a session: that page is rendered, and stored for no one. Deciding this from the cookies
 * alone lets a hit skip loading the session.
 */
function withoutSession(req: Request): boolean {
  return (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE] === undefined && !hasFlashCookie(req);
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
 * A validator for the page as this visitor gets it, without hashing the body per hit: the page's own
 * tag (a hash of the stored copy, taken once) and the end of the token's random half. A returning
 * visitor whose CSRF cookie is still valid gets the same token back, so the same page gets the same
 * ETag and a conditional GET is answered 304, as Express's body hash allowed before; any other
 * visitor's page differs by its token, and so does its ETag.
 */
function etagOf(page: CachedPage, token: string): string {
  return `W/"${page.tag}-${token.slice(-16)}"`;
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

// Express's req.ip and req.secure ask the trust-proxy function about the socket's address (parsing it)
// even when no proxy header came; without the header their answer is the socket's own.

/** The client's address as req.ip gives it (through trusted proxies). */
function clientIp(req: Request): string | undefined {
  return req.headers['x-forwarded-for'] === undefined ? req.socket.remoteAddress : req.ip;
}

/** req.secure. */
function isSecure(req: Request): boolean {
  return req.headers['x-forwarded-proto'] === undefined ? (req.socket as TLSSocket).encrypted === true : req.secure;
}

/**
 * Answers an anonymous catalog GET or HEAD from the page cache; on a miss it tells renderPage, through
 * res.locals.pendingPage, to store what the route renders.
 *
 * Mounted as the app's first middleware: a hit needs nothing of what follows (helmet, pino-http, the
 * router's walk through every other mount, the session), and those were most of a hit's cost. So a
 * hit does itself the little of that it needs: the security headers helmet sets (learned once), a
 * request id, the request log line in pino-http's shape and the request metrics. Anything else goes
 * on down the chain untouched, apart from its cookies being parsed here already.
 */
export function servePageCache({ cache, csrfToken, securityHeaders, logger, metrics }: PageCacheDependencies): RequestHandler {
  const parseCookies = plainCookies();
  // A hit's line holds no header, cookie or body, so nothing in it to redact; the redaction's copy of
  // every line object was a sizeable share of what a hit allocated.
  const hitLogger = logger.child({}, { redact: { paths: [] } });
  // Flat name/value lists for writeHead: the same every hit, built once.
  const notModifiedHeaders: string[] = [...headersSetBy(securityHeaders).flat(), 'X-Page-Cache', 'hit'];
  const pageHeaders: string[] = [...notModifiedHeaders, 'Content-Type', 'text/html; charset=utf-8'];

  /** The request log line, in pino-http's shape (app.ts) so that log searches find hits and misses alike. */
  const logHit = (req: Request, started: number, id: string, status: number) => {
    hitLogger.info({
      req: {
        id,
        method: req.method,
        url: req.originalUrl,
        remoteAddress: req.socket.remoteAddress,
        remotePort: req.socket.remotePort,
        userAgent: req.headers['user-agent'],
        referer: req.headers.referer,
      },
      clientIp: clientIp(req),
      res: { statusCode: status },
      responseTime: Date.now() - started,
    }, 'request completed');
  };

  const sendHit = (req: Request, res: Response, page: CachedPage) => {
    const started = Date.now();
    const startedNs = process.hrtime.bigint();
    const id = randomUUID();
    res.on('close', () => {
      // Like pino-http: a response cut off by the client is logged too; the metrics count finished ones.
      logHit(req, started, id, res.statusCode);
      if (res.writableFinished) metrics.observeRequest(req.method, page.route, res.statusCode, Number(process.hrtime.bigint() - startedNs) / 1e9);
    });
    const { token: raw, setCookie } = csrfToken(req.cookies as Record<string, string> | undefined, isSecure(req));
    const token = Handlebars.escapeExpression(raw);
    const etag = etagOf(page, token);
    // Every header in one list, none set before: writeHead then skips building a header map.
    if (notModified(req, etag)) {
      // As Express answers a conditional GET: no body and no content headers.
      res.writeHead(304, [...notModifiedHeaders, 'X-Request-Id', id, 'Set-Cookie', setCookie, 'ETag', etag] as unknown as OutgoingHttpHeader[]);
      res.end();
      return;
    }
    const tokenBytes = Buffer.from(token);
    const length = cache.bodyLength(page, tokenBytes.length);
    res.writeHead(200, [...pageHeaders, 'X-Request-Id', id, 'Set-Cookie', setCookie, 'Content-Length', String(length), 'ETag', etag] as unknown as OutgoingHttpHeader[]);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // Each stored part and the token written as they are: no page-sized buffer per hit. The socket is
    // corked until end(), so they still leave in one write.
    res.cork();
    const { parts } = page;
    for (let i = 0; i < parts.length - 1; i += 1) {
      res.write(parts[i]);
      res.write(tokenBytes);
    }
    res.end(parts[parts.length - 1]);
  };

  /** The request's cookies are parsed (if it sent any): a hit, or a miss marked for storing, or on down the chain. */
  const answer = (req: Request, res: Response, next: NextFunction) => {
    if (!withoutSession(req) || wantsJson(req)) {
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
      const page = cache.get(url, version);
      if (!page) {
        res.locals.pendingPage = { url, version } satisfies PendingPage;
        next();
        return;
      }
      sendHit(req, res, page);
    }, () => {
      // The stamps could not be read: no caching; the route reads the database itself and reports
      // the failure through the error page, with every header the chain sets.
      next();
    }).catch(next); // A bug in answering a hit is an error response, never an unhandled rejection.
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
