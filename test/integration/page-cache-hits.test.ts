import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';
import request, { type Response } from 'supertest';
import type { Express, Request } from 'express';
import { createApp } from '../../app';
import { createRequestLog } from '../../middleware/request-log';
import { createLogger } from '../../logger';
import { createMetrics } from '../../lib/metrics';
import { createPageCache } from '../../services/page-cache';
import { bumpCatalogStamp } from '../../services/catalog-cache';
import { Book } from '../../models';
import { createVisitorFragments, headersSetBy, serveCachedPageForVisitor, servePageCache } from '../../middleware/page-cache';
import { createCsrf } from '../../middleware/csrf';
import { create as createViews } from 'express-handlebars';
import path from 'node:path';
import { projectRoot } from '../../config';
import { viewHelpers } from '../../lib/view-helpers';
import { csrfFrom, Shopper, startTestApp, type TestApp } from '../helpers';

// How a hit is answered now that it comes before helmet, the request log and the router: it must look to
// a browser, an operator's log search and the metrics exactly like the same page rendered afresh.

let t: TestApp;
/** A second app on the same database whose request log lines are kept. */
let logged: Express;
const lines: Array<Record<string, unknown>> = [];

before(async () => {
  t = await startTestApp();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  logged = createApp({ config: t.config, db: t.db, logger: pino({ level: 'info' }, sink) });
});
after(async () => t.close());

const cacheState = (res: Response): string | undefined => res.headers['x-page-cache'];

/** What differs from one response to the next whatever the cache does. */
const PER_RESPONSE = new Set(['x-request-id', 'set-cookie', 'date', 'etag', 'x-page-cache']);

function stableHeaders(res: Response): Record<string, string> {
  return Object.fromEntries(Object.entries(res.headers as Record<string, string>).filter(([name]) => !PER_RESPONSE.has(name)).sort());
}

/** A Set-Cookie value with its value blanked: name and attributes. */
function cookieShapes(res: Response): string[] {
  const raw = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  return raw.map((cookie) => cookie.replace(/=[^;]*/, '=VALUE'));
}

async function missThenHit(app: Express, path: string): Promise<{ miss: Response; hit: Response }> {
  const miss = await request(app).get(path).expect(200);
  const hit = await request(app).get(path).expect(200);
  assert.equal(cacheState(miss), 'miss', `${path} was rendered first`);
  assert.equal(cacheState(hit), 'hit', `${path} came from the cache next`);
  return { miss, hit };
}

describe('a page cache hit', () => {
  test('carries exactly the headers of a rendered page: helmet\'s, type and length', async () => {
    const { miss, hit } = await missThenHit(t.app, '/books?page=2');
    assert.deepEqual(stableHeaders(hit), stableHeaders(miss));
    assert.ok(hit.headers['content-security-policy'] && hit.headers['x-frame-options'] && hit.headers['referrer-policy']);
    assert.equal(hit.headers['x-powered-by'], undefined);
    assert.deepEqual(cookieShapes(hit), cookieShapes(miss));
    assert.deepEqual(cookieShapes(hit), ['epicbook.csrf=VALUE; Path=/; HttpOnly; SameSite=Lax']);
    assert.match(hit.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    assert.notEqual(hit.headers['x-request-id'], miss.headers['x-request-id']);
    assert.equal(Number(hit.headers['content-length']), Buffer.byteLength(hit.text));
    assert.match(hit.headers.etag, /^W\/"/);
  });

  test('behind the trusted proxy, over HTTPS, its CSRF cookie is Secure like a rendered page\'s', async () => {
    const secure = (app: Express) => request(app).get('/books?page=3').set('X-Forwarded-Proto', 'https').expect(200);
    const miss = await secure(t.app);
    const hit = await secure(t.app);
    assert.equal(cacheState(hit), 'hit');
    assert.deepEqual(cookieShapes(hit), cookieShapes(miss));
    assert.match(cookieShapes(hit)[0], /; Secure(;|$)/);
  });

  test('a HEAD hit has the GET hit\'s headers and no body', async () => {
    const { hit } = await missThenHit(t.app, '/books?page=4');
    const head = await request(t.app).head('/books?page=4').expect(200);
    assert.equal(cacheState(head), 'hit');
    assert.deepEqual(stableHeaders(head), stableHeaders(hit));
    assert.equal(head.text, undefined);
  });

  test('a returning visitor with the same token gets a 304 for an unchanged page, and the page once it changes', async () => {
    const visitor = request.agent(t.app);
    await visitor.get('/books?page=5').expect(200);
    const first = await visitor.get('/books?page=5').expect(200);
    const again = await visitor.get('/books?page=5').expect(200);
    assert.equal(cacheState(again), 'hit');
    assert.equal(csrfFrom(again.text), csrfFrom(first.text), 'the CSRF cookie keeps the visitor\'s token');
    assert.equal(again.headers.etag, first.headers.etag);

    const conditional = await visitor.get('/books?page=5').set('If-None-Match', first.headers.etag).expect(304);
    assert.equal(cacheState(conditional), 'hit');
    assert.equal(conditional.headers['content-type'], undefined);
    assert.ok(conditional.headers['content-security-policy']);
    // A reload that asks for no cached copy, and another visitor's ETag, get the page.
    await visitor.get('/books?page=5').set('If-None-Match', first.headers.etag).set('Cache-Control', 'no-cache').expect(200);
    const other = await request(t.app).get('/books?page=5').expect(200);
    assert.notEqual(other.headers.etag, first.headers.etag, 'another visitor\'s page differs by its token');
    await visitor.get('/books?page=5').set('If-None-Match', other.headers.etag).expect(200);

    // A stamp that moved without changing this page: rendered again, stored again, still the same validator.
    await t.db.writeTransaction((transaction) => bumpCatalogStamp(transaction));
    const rerendered = await visitor.get('/books?page=5').expect(200);
    assert.equal(cacheState(rerendered), 'miss', 'a stamp moved since the page was stored');
    await visitor.get('/books?page=5').set('If-None-Match', first.headers.etag).expect(304);

    // A change to a book on the page: the page, with a new validator.
    const id = Number(/href="\/books\/(\d+)-/.exec(first.text)![1]);
    const book = (await Book.findByPk(id))!;
    try {
      await Book.update({ title: `${book.title} (Revised)` }, { where: { id } });
      await t.db.writeTransaction((transaction) => bumpCatalogStamp(transaction));
      await visitor.get('/books?page=5').expect(200);
      const changed = await visitor.get('/books?page=5').set('If-None-Match', first.headers.etag).expect(200);
      assert.equal(cacheState(changed), 'hit');
      assert.match(changed.text, /\(Revised\)/);
      assert.notEqual(changed.headers.etag, first.headers.etag);
    } finally {
      await Book.update({ title: book.title }, { where: { id } });
      await t.db.writeTransaction((transaction) => bumpCatalogStamp(transaction));
    }
  });

  test('a session cookie, even one the store never issued, is answered only after the session layer, which treats it as a guest', async () => {
    await missThenHit(t.app, '/gallery?page=2');
    lines.length = 0;
    await missThenHit(logged, '/gallery?page=2');
    const res = await request(logged).get('/gallery?page=2').set('Cookie', 'epicbook.sid=s%3Amade-up.signature').expect(200);
    assert.equal(cacheState(res), 'hit');
    assert.match(res.text, /href="\/login"/);
    assert.match(res.text, /data-cart-count="0"/);
    // Through the whole chain: the request log (middleware/request-log.ts) wrote its line.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = lines.filter((l) => l.msg === 'request completed').pop()!;
    assert.equal((line.req as Record<string, unknown>).id, res.headers['x-request-id']);
  });

  test('is counted in the request metrics under the route that rendered it', async () => {
    const url = (await request(t.app).get('/books/7').expect(301)).headers.location as string;
    await missThenHit(t.app, url);
    await request(t.app).head(url).expect(200);
    const text = (await request(t.app).get('/metrics').expect(200)).text;
    /** The value of the series `name` with these labels (among others), 0 when absent. */
    const value = (name: string, labels: Record<string, string>) => Number(text.split('\n').find((line) =>
      line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))?.split(' ').pop() ?? 0);
    const labels = { route: '/books/:param', status: '200' };
    assert.equal(value('epicbook_http_requests_total', { ...labels, method: 'GET' }), 2, 'the miss and the hit');
    assert.equal(value('epicbook_http_requests_total', { ...labels, method: 'HEAD' }), 1);
    assert.equal(value('epicbook_http_request_duration_seconds_count', { ...labels, method: 'GET' }), 2);
  });

  test('logs a request line with the fields of pino-http\'s, client address through the trusted proxy included', async () => {
    lines.length = 0;
    const get = () => request(logged).get('/search?q=dragon').set('X-Forwarded-For', '203.0.113.9').set('User-Agent', 'log-test');
    const miss = await get().expect(200);
    const hit = await get().expect(200);
    assert.equal(cacheState(miss), 'miss');
    assert.equal(cacheState(hit), 'hit');
    // The hit's line is written when the response closes, just after supertest has it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const completed = lines.filter((line) => line.msg === 'request completed');
    assert.equal(completed.length, 2);
    const [missLine, hitLine] = completed;
    const shape = (line: Record<string, unknown>) => ({
      keys: Object.keys(line).sort(),
      reqKeys: Object.keys(line.req as object).sort(),
      level: line.level,
      clientIp: line.clientIp,
      res: line.res,
      method: (line.req as Record<string, unknown>).method,
      url: (line.req as Record<string, unknown>).url,
      userAgent: (line.req as Record<string, unknown>).userAgent,
    });
    assert.deepEqual(shape(hitLine), shape(missLine));
    assert.deepEqual(shape(hitLine).res, { statusCode: 200 });
    assert.equal(hitLine.clientIp, '203.0.113.9');
    assert.equal(hitLine.level, 30);
    assert.equal((hitLine.req as Record<string, unknown>).id, hit.headers['x-request-id']);
    assert.equal((missLine.req as Record<string, unknown>).id, miss.headers['x-request-id']);
    assert.equal(typeof hitLine.responseTime, 'number');
  });
});

describe('the page cache middleware on its own', () => {
  const securityHeaders = helmet();

  function appWith(cache: ReturnType<typeof createPageCache>, csrfToken = () => ({ token: 'token', setCookie: 'epicbook.csrf=token' })): Express {
    const app = express();
    const views = createViews({ extname: '.hbs', partialsDir: path.join(projectRoot, 'views/partials'), helpers: viewHelpers });
    app.use(servePageCache({
      cache,
      fragments: createVisitorFragments(views, cache),
      csrfToken,
      securityHeaders,
      requestLog: createRequestLog(createLogger({ logLevel: 'silent' })),
      metrics: createMetrics(t.db.sequelize),
    }));
    // Where the session and page locals would be: a visitor with a session cookie is answered here.
    app.use(serveCachedPageForVisitor(cache));
    app.get('/books', (_req, res) => {
      res.send(res.locals.pendingPage ? 'rendered, to be stored' : 'rendered');
    });
    return app;
  }

  test('when the stamps cannot be read, the request goes on down the chain uncached instead of failing', async () => {
    const cache = createPageCache({
      readStamp: async () => {
        throw new Error('database down');
      },
      readStock: async () => 1,
    });
    const res = await request(appWith(cache)).get('/books').expect(200);
    assert.equal(res.text, 'rendered');
  });

  test('a failure while answering a hit is an error response, not an unhandled rejection', async () => {
    const cache = createPageCache({ readStamp: async () => 1, readStock: async () => 1 });
    cache.set('/books', 2, `<input value="${cache.placeholder}">`, '/books');
    const app = appWith(cache, () => {
      throw new Error('token generator broke');
    });
    const failures: unknown[] = [];
    app.use(((error, _req, res, _next) => {
      failures.push(error);
      res.status(500).send('failed');
    }) as express.ErrorRequestHandler);
    const res = await request(app).get('/books').expect(500);
    assert.match(String(failures[0]), /token generator broke/);
    // The error page comes before helmet in the chain, yet carries its headers.
    assert.ok(res.headers['content-security-policy'] && res.headers['x-frame-options'], 'security headers on the error page');
  });

  test('without the stamp row nothing is cached', async () => {
    const cache = createPageCache({ readStamp: async () => null, readStock: async () => 1 });
    assert.equal((await request(appWith(cache)).get('/books').expect(200)).text, 'rendered');
  });

  test('learns the headers a security middleware sets, and refuses one that does not finish at once', () => {
    const headers = headersSetBy(securityHeaders);
    assert.ok(headers.some(([name]) => name === 'Content-Security-Policy'));
    assert.ok(!headers.some(([name]) => name.toLowerCase() === 'x-powered-by'));
    assert.throws(() => headersSetBy(() => undefined), /did not finish/);
    assert.throws(() => headersSetBy((_req, _res, next) => next(new Error('bad directive'))), /bad directive/);
  });

  test('a hit\'s new token is one csrf-csrf accepts with its cookie; a valid cookie\'s token is kept', () => {
    const csrf = createCsrf({ sessionSecret: 'a-secret-of-at-least-thirty-two-characters' });
    const other = createCsrf({ sessionSecret: 'another-secret-of-thirty-two-characters' });
    const sent = (token: string, cookie = token) => ({ cookies: { 'epicbook.csrf': cookie }, headers: { 'x-csrf-token': token } }) as unknown as Request;
    const tokens = new Set<string>();
    for (let i = 0; i < 300; i += 1) {
      const { token, setCookie } = csrf.anonymousToken(undefined, false);
      assert.equal(setCookie, `epicbook.csrf=${token}; Path=/; HttpOnly; SameSite=Lax`);
      assert.ok(csrf.validHeaderToken(sent(token)), 'passes the check');
      assert.ok(!other.validHeaderToken(sent(token)), 'signed with this store\'s secret');
      tokens.add(token);
    }
    assert.equal(tokens.size, 300, 'every visitor its own token, also past a refill of the random pool');
    const [first] = tokens;
    const forged = `${first.split('.')[0]}.${'0'.repeat(64)}`;
    assert.ok(!csrf.validHeaderToken(sent(forged)));
    assert.equal(csrf.anonymousToken({ 'epicbook.csrf': first }, true).token, first, 'a valid cookie keeps its token');
    assert.notEqual(csrf.anonymousToken({ 'epicbook.csrf': forged }, true).token, forged, 'an invalid one is replaced');
  });

  test('a CSRF cookie that only starts with a valid token is replaced, never echoed: no injected cookie attributes, no 500', async () => {
    const first = await request(t.app).get('/books?page=6').expect(200);
    const valid = csrfFrom(first.text);
    const TOKEN = /^epicbook\.csrf=[0-9a-f]{64}\.[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Lax$/;
    // csrf-csrf validates only the first two dot-separated parts; the cookie parser decodes the rest.
    for (const tail of ['.x%3B%20Domain%3Devil.example%3B%20Max-Age%3D99999999', '.%E2%80%A8', '.%22%3E%3Cscript%3E']) {
      // Without a session (answered first), and with a (stale) flash cookie (answered after the page locals).
      for (const extra of ['', '; epicbook.flash=stale']) {
        const res = await request(t.app).get('/books?page=6').set('Cookie', `epicbook.csrf=${valid}${tail}${extra}`);
        assert.equal(res.status, 200, `${tail}${extra}`);
        assert.equal(cacheState(res), 'hit');
        const cookies = (res.headers['set-cookie'] as unknown as string[]).filter((c) => c.startsWith('epicbook.csrf='));
        assert.equal(cookies.length, 1);
        assert.match(cookies[0], TOKEN, `${tail}${extra}: a fresh token, with the attributes we set and no others`);
        const token = csrfFrom(res.text);
        assert.notEqual(token, valid);
        assert.equal(cookies[0].split(';')[0], `epicbook.csrf=${token}`, 'the page carries the cookie\'s token');
        assert.match(res.headers.etag, /^W\/"[\w-]+"$/);
      }
    }
    // A cookie of the shape we issue is still kept.
    const kept = await request(t.app).get('/books?page=6').set('Cookie', `epicbook.csrf=${valid}`).expect(200);
    assert.equal(csrfFrom(kept.text), valid);
  });

  test('a visitor with a session cookie is passed on with the page it may be answered with, and a shopper with a cart sees it', async () => {
    const cache = createPageCache({ readStamp: async () => 1, readStock: async () => 1 });
    const passed = await request(appWith(cache)).get('/books').set('Cookie', 'epicbook.sid=s%3Asome.session').expect(200);
    assert.equal(passed.text, 'rendered, to be stored');
    const shopper = new Shopper(t.app);
    await shopper.add(3, 1).expect(303);
    await shopper.agent.get('/cart').expect(200); // the add's message, shown once
    await shopper.agent.get('/books').expect(200);
    const res = await shopper.agent.get('/books').expect(200);
    assert.equal(cacheState(res), 'hit');
    assert.match(res.text, /data-cart-count="1"/);
  });

  describe('a page with stock slots', () => {
    const SESSION = 'epicbook.sid=s%3Asome.session';

    function stockPage(readStock: (id: number) => Promise<number | undefined>) {
      const cache = createPageCache({ readStamp: async () => 1, readStock });
      cache.set('/books', 1, `<p>${cache.markers.stock} left, at most ${cache.markers.stockLimit}</p>`, '/books', { bookId: 5, count: 4 });
      return appWith(cache);
    }

    test('is filled from a count read for each response, with or without a session, and its ETag changes with it', async () => {
      let count = 4;
      const asked: number[] = [];
      const app = stockPage(async (id) => {
        asked.push(id);
        return count;
      });
      for (const cookie of ['', SESSION]) {
        count = 4;
        const first = await request(app).get('/books').set('Cookie', cookie).expect(200);
        assert.equal(cacheState(first), 'hit', cookie || 'without a session');
        assert.match(first.text, /<p>4 left, at most 4<\/p>/);
        await request(app).get('/books').set('Cookie', cookie).set('If-None-Match', first.headers.etag).expect(304);
        count = 150;
        const later = await request(app).get('/books').set('Cookie', cookie).set('If-None-Match', first.headers.etag).expect(200);
        assert.equal(cacheState(later), 'hit');
        assert.match(later.text, /<p>150 left, at most 99<\/p>/);
        assert.notEqual(later.headers.etag, first.headers.etag);
      }
      assert.deepEqual([...new Set(asked)], [5], 'the stored page\'s own book');
      assert.equal(asked.length, 6, 'one read per response');
    });

    test('a failed stock read passes the request on uncached, never a stale count', async () => {
      const app = stockPage(async () => {
        throw new Error('database away');
      });
      for (const cookie of ['', SESSION]) {
        const res = await request(app).get('/books').set('Cookie', cookie).expect(200);
        assert.equal(res.text, 'rendered', cookie || 'without a session');
        assert.equal(cacheState(res), undefined);
      }
    });

    test('a count the stored copy no longer fits (sold out, or the book gone) passes the request on to be rendered and stored', async () => {
      for (const current of [0, undefined]) {
        const app = stockPage(async () => current);
        for (const cookie of ['', SESSION]) {
          const res = await request(app).get('/books').set('Cookie', cookie).expect(200);
          assert.equal(res.text, 'rendered, to be stored', `${current}, ${cookie || 'without a session'}`);
        }
      }
    });
  });
});
