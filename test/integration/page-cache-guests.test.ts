import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import request, { type Response, type Test } from 'supertest';
import type { Express, RequestHandler } from 'express';
import { createApp } from '../../app';
import { Shopper, signedInShopper, startTestApp, type TestApp } from '../helpers';

// A guest's catalog page (a visitor with a session and a cart, no account, no message) is answered
// by the page cache's first middleware, before express-session and the rest of the chain. It must
// be the answer the chain gives, byte for byte apart from the request id; and whenever the chain
// would do anything more (renew the session, show a message, read an account) or could not read
// what it needs, the chain answers.

let t: TestApp;
/** Answers guests first, as in production. */
let fast: Express;
/** The same store with that turned off: every visitor with a session goes down the chain. */
let chain: Express;
const lines = { fast: [] as Array<Record<string, unknown>>, chain: [] as Array<Record<string, unknown>> };
/** How many requests reached helmet in `fast`, i.e. went down its chain. */
let downTheChain = 0;
let bookUrl: string;

function sink(into: Array<Record<string, unknown>>) {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) into.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
}

before(async () => {
  t = await startTestApp();
  fast = createApp({ config: t.config, db: t.db, logger: pino({ level: 'info' }, sink(lines.fast)) });
  chain = createApp({ config: t.config, db: t.db, logger: pino({ level: 'info' }, sink(lines.chain)), guestHits: false });
  // Helmet's layer: every request not answered before the chain passes it first.
  const stack = (fast as unknown as { router: { stack: Array<{ handle: RequestHandler }> } }).router.stack;
  const second = stack.find((layer) => layer.handle.name === 'helmetMiddleware')!;
  assert.ok(second, 'helmet is in the chain');
  const handle = second.handle;
  second.handle = (req, res, next) => {
    downTheChain += 1;
    return handle(req, res, next);
  };
  bookUrl = (await request(t.app).get('/books/7').expect(301)).headers.location as string;
});
after(async () => t.close());

const ACCESS = { domain: '127.0.0.1', path: '/', secure: false, script: false };

/** A guest who added `quantity` copies of book 7 on `fast` and has seen the message: its Cookie header. */
async function guest(quantity = 2): Promise<{ cookie: string; shopper: Shopper; sid: string }> {
  const shopper = new Shopper(fast);
  await shopper.add(7, quantity).expect(303);
  await shopper.agent.get('/cart').expect(200);
  return { cookie: cookieHeader(shopper), shopper, sid: sidOf(shopper) };
}

function cookieHeader(shopper: Shopper): string {
  return ['epicbook.sid', 'epicbook.csrf', 'epicbook.flash']
    .map((name) => shopper.agent.jar.getCookie(name, ACCESS))
    .filter((cookie) => cookie !== undefined)
    .map((cookie) => `${cookie!.name}=${cookie!.value}`)
    .join('; ');
}

function sidOf(shopper: Shopper): string {
  const cookie = shopper.agent.jar.getCookie('epicbook.sid', ACCESS)!;
  return /^s:([^.]+)\./.exec(decodeURIComponent(cookie.value))![1];
}

/** Both apps have the page stored (a miss renders and stores it). */
async function stored(url: string): Promise<void> {
  for (const app of [fast, chain]) {
    await request(app).get(url).expect(200);
    assert.equal((await request(app).get(url).expect(200)).headers['x-page-cache'], 'hit', url);
  }
}

/**
 * Status, headers and body as a browser sees them, apart from what differs on every response: the
 * request id (also in an error page's text) and the date. And apart from the stored copy's hash at
 * the head of an ETag: each app stores its own copy, cut at slot markers random per process, so two
 * apps never hash the same bytes; within one, both ways tag a page with the hash of the one copy.
 */
function answer(res: Response, normalize: (text: string) => string = (text) => text) {
  const id = res.headers['x-request-id'] as string;
  const clean = (text: string) => normalize((id ? text.split(id).join('<request id>') : text).replace(/^W\/"[\w-]{27}(?=[.-])/, 'W/"<stored copy>'));
  const headers = Object.fromEntries(Object.entries(res.headers as Record<string, string | string[]>)
    .filter(([name]) => name !== 'x-request-id' && name !== 'date')
    .map(([name, value]) => [name, Array.isArray(value) ? value.map(clean) : clean(value)])
    .sort(([a], [b]) => String(a).localeCompare(String(b))));
  return { status: res.status, headers, body: res.text === undefined ? undefined : clean(res.text) };
}

type Send = (app: Express) => Test;

/** Sends the same request to both apps; resolves to each answer, and whether `fast` used its chain. */
async function both(send: Send): Promise<{ fast: Response; chain: Response; wentDownTheChain: boolean }> {
  const before = downTheChain;
  const fastRes = await send(fast);
  const wentDownTheChain = downTheChain > before;
  const chainRes = await send(chain);
  return { fast: fastRes, chain: chainRes, wentDownTheChain };
}

/** The same request answered first by `fast`, and by `chain` the same way. */
async function sameAnswerFirst(send: Send, normalize?: (text: string) => string): Promise<Response> {
  const res = await both(send);
  assert.equal(res.wentDownTheChain, false, 'answered before the chain');
  assert.equal(res.fast.headers['x-page-cache'], 'hit');
  assert.deepEqual(answer(res.fast, normalize), answer(res.chain, normalize));
  return res.fast;
}

/** The same request sent down the chain by `fast`, answered as `chain` answers it. */
async function sameAnswerByTheChain(send: Send, normalize?: (text: string) => string): Promise<Response> {
  const res = await both(send);
  assert.equal(res.wentDownTheChain, true, 'went down the chain');
  assert.deepEqual(answer(res.fast, normalize), answer(res.chain, normalize));
  return res.fast;
}

describe('a guest\'s catalog page, answered first', () => {
  test('the counter sees requests that go down the chain', async () => {
    const before = downTheChain;
    await request(fast).get('/cart').expect(200);
    assert.equal(downTheChain, before + 1);
  });

  test('is what the chain sends: a book page, GET and HEAD, with the cart badge, the token and the stock', async () => {
    await stored(bookUrl);
    const { cookie } = await guest(2);
    const res = await sameAnswerFirst((app) => request(app).get(bookUrl).set('Cookie', cookie));
    assert.equal(res.status, 200);
    assert.match(res.text, /data-cart-count="2"/);
    assert.match(res.text, /aria-label="2 items in your cart"/);
    assert.match(res.text, /href="\/login"/);
    assert.match(res.text, /\d+ in stock/);
    const token = /epicbook\.csrf=([^;]+)/.exec(cookie)![1];
    assert.ok(res.text.includes(`name="_csrf" value="${token}"`), 'the visitor\'s own token');
    assert.equal(res.headers['set-cookie']?.length, 1, 'the token\'s cookie and no session cookie');
    await sameAnswerFirst((app) => request(app).head(bookUrl).set('Cookie', cookie));
  });

  test('is what the chain sends for every kind of catalog page, one copy in the cart, and over HTTPS', async () => {
    const { cookie } = await guest(1);
    for (const url of ['/', '/books?page=2&sort=price', '/gallery', '/search?q=dragon', '/category/childrens-books']) {
      await stored(url);
      const res = await sameAnswerFirst((app) => request(app).get(url).set('Cookie', cookie));
      assert.match(res.text, /aria-label="1 item in your cart"/, url);
    }
    const secure = await sameAnswerFirst((app) => request(app).get('/gallery').set('Cookie', cookie).set('X-Forwarded-Proto', 'https'));
    assert.match(secure.headers['set-cookie']![0], /; Secure; SameSite=Lax$/);
  });

  test('answers a conditional GET with the chain\'s 304, and the page once the cart changes', async () => {
    await stored(bookUrl);
    const { cookie, shopper } = await guest(1);
    const pages = await both((app) => request(app).get(bookUrl).set('Cookie', cookie));
    // Each app's own validator (their stored copies differ, see answer).
    const etagFrom = (app: Express): string => (app === fast ? pages.fast : pages.chain).headers.etag;
    const notModified = await sameAnswerFirst((app) => request(app).get(bookUrl).set('Cookie', cookie).set('If-None-Match', etagFrom(app)));
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers['content-type'], undefined);
    await shopper.add(7, 1).expect(303);
    await shopper.agent.get('/cart').expect(200);
    const changed = await sameAnswerFirst((app) => request(app).get(bookUrl).set('Cookie', cookie).set('If-None-Match', etagFrom(app)));
    assert.equal(changed.status, 200, 'a new count, a new validator');
    assert.match(changed.text, /data-cart-count="2"/);
  });

  test('a guest whose cart is empty again, and one without a token cookie (given a new token, as by the chain)', async () => {
    await stored(bookUrl);
    const { cookie, shopper } = await guest(1);
    await shopper.post('/cart/items/7/delete', {}).expect(303);
    await shopper.agent.get('/cart').expect(200);
    const empty = await sameAnswerFirst((app) => request(app).get(bookUrl).set('Cookie', cookie));
    assert.match(empty.text, /data-cart-count="0"/);

    const sessionOnly = cookie.split('; ').filter((c) => c.startsWith('epicbook.sid=')).join('; ');
    // Each answer mints its own random token: the same answer once the token is taken out.
    const TOKEN = /[0-9a-f]{64}\.[0-9a-f]{64}/g;
    const res = await sameAnswerFirst((app) => request(app).get(bookUrl).set('Cookie', sessionOnly), (text) => text.replace(TOKEN, '<token>').replace(/-[0-9a-f]{16}"$/, '-<token>"'));
    assert.match(res.headers['set-cookie']![0], /^epicbook\.csrf=[0-9a-f]{64}\.[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  test('logs the request line the chain logs, and is counted in the request metrics', async () => {
    await stored(bookUrl);
    const { cookie } = await guest(1);
    lines.fast.length = 0;
    lines.chain.length = 0;
    const { fast: res } = await both((app) => request(app).get(bookUrl).set('Cookie', cookie).set('User-Agent', 'guest-log-test'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [fastLine] = lines.fast.filter((line) => line.msg === 'request completed');
    const [chainLine] = lines.chain.filter((line) => line.msg === 'request completed');
    const shape = (line: Record<string, unknown>) => ({
      keys: Object.keys(line).sort(),
      reqKeys: Object.keys(line.req as object).sort(),
      level: line.level,
      res: line.res,
      url: (line.req as Record<string, unknown>).url,
      userAgent: (line.req as Record<string, unknown>).userAgent,
    });
    assert.deepEqual(shape(fastLine), shape(chainLine));
    assert.equal((fastLine.req as Record<string, unknown>).id, res.headers['x-request-id']);

    const metrics = async (app: Express) => {
      const text = (await request(app).get('/metrics').expect(200)).text;
      return Number(text.split('\n').find((line) => line.startsWith('epicbook_http_requests_total{')
        && line.includes('route="/books/:param"') && line.includes('method="GET"') && line.includes('status="200"'))?.split(' ').pop() ?? 0);
    };
    const before = await metrics(fast);
    await request(fast).get(bookUrl).set('Cookie', cookie).expect(200);
    assert.equal(await metrics(fast), before + 1);
  });
});

describe('a visitor with a session the chain must handle gets the chain\'s answer', () => {
  test('a tampered or foreign session cookie', async () => {
    await stored(bookUrl);
    const { cookie } = await guest(1);
    const tampered = cookie.replace(/(epicbook\.sid=[^;]*?)(.)(;|$)/, (_m, head: string, last: string, tail: string) => `${head}${last === 'A' ? 'B' : 'A'}${tail}`);
    assert.notEqual(tampered, cookie);
    const res = await sameAnswerByTheChain((app) => request(app).get(bookUrl).set('Cookie', tampered));
    assert.match(res.text, /data-cart-count="0"/, 'a new, empty session');
    await sameAnswerByTheChain((app) => request(app).get(bookUrl).set('Cookie', cookie.replace(/epicbook\.sid=s%3A/, 'epicbook.sid=')));
  });

  test('an expired session, and one whose row is gone', async () => {
    await stored(bookUrl);
    const { cookie, sid } = await guest(1);
    await t.db.sql().run('UPDATE Sessions SET expires = ? WHERE sid = ?', [new Date(Date.now() - 1000), sid]);
    const expired = await sameAnswerByTheChain((app) => request(app).get(bookUrl).set('Cookie', cookie));
    assert.match(expired.text, /data-cart-count="0"/);
    await t.db.sql().run('DELETE FROM Sessions WHERE sid = ?', [sid]);
    await sameAnswerByTheChain((app) => request(app).get(bookUrl).set('Cookie', cookie));
  });

  test('a signed-in shopper', async () => {
    await stored(bookUrl);
    const { shopper } = await signedInShopper({ ...t, app: fast }, 'Ada Guestless');
    await shopper.add(7, 1).expect(303);
    await shopper.agent.get('/cart').expect(200);
    const res = await sameAnswerByTheChain((app) => request(app).get(bookUrl).set('Cookie', cookieHeader(shopper)));
    assert.match(res.text, /Sign out/);
    assert.match(res.text, /data-cart-count="1"/);
  });

  test('a message to show', async () => {
    await stored(bookUrl);
    const shopper = new Shopper(fast);
    await shopper.add(7, 1).expect(303);
    const cookie = cookieHeader(shopper);
    assert.match(cookie, /epicbook\.flash=/);
    const res = await sameAnswerByTheChain((app) => request(app).get(bookUrl).set('Cookie', cookie));
    assert.match(res.text, /Added .* to your cart\./);
    assert.ok((res.headers['set-cookie'] as unknown as string[]).some((c) => c.startsWith('epicbook.flash=;')), 'the message\'s cookie cleared');
  });

  test('a session due for renewal: renewed by the chain, row and cookie', async () => {
    await stored(bookUrl);
    const { cookie, sid } = await guest(1);
    const dueForRenewal = async () => {
      const row = (await t.db.sql().one<{ data: string }>('SELECT data FROM Sessions WHERE sid = ?', [sid]))!;
      const data = JSON.parse(row.data) as { cookie: { expires: string } };
      const expires = new Date(Date.now() + t.config.sessionMaxAgeMs * 0.4);
      data.cookie.expires = expires.toISOString();
      await t.db.sql().run('UPDATE Sessions SET expires = ?, data = ? WHERE sid = ?', [expires, JSON.stringify(data), sid]);
    };
    const EXPIRES = /Expires=[^;]+/;
    // Each renews it: due again before each request.
    const before = downTheChain;
    await dueForRenewal();
    const fastRes = await request(fast).get(bookUrl).set('Cookie', cookie).expect(200);
    assert.equal(downTheChain, before + 1, 'went down the chain');
    await dueForRenewal();
    const chainRes = await request(chain).get(bookUrl).set('Cookie', cookie).expect(200);
    const normalize = (text: string) => text.replace(EXPIRES, 'Expires=<renewed>');
    assert.deepEqual(answer(fastRes, normalize), answer(chainRes, normalize));
    assert.ok((fastRes.headers['set-cookie'] as unknown as string[]).some((c) => c.startsWith('epicbook.sid=')), 'the session cookie sent again');
    // Renewed: the next page is answered first again.
    await sameAnswerFirst((app) => request(app).get(bookUrl).set('Cookie', cookie));
  });

  test('a session, or a cart, that cannot be read', async () => {
    await stored(bookUrl);
    const { cookie } = await guest(1);
    for (const table of ['Sessions', 'Carts']) {
      await t.db.sql().run(`ALTER TABLE ${table} RENAME TO ${table}Away`);
      try {
        // An error page shows its request id, so Express's hash of it (the ETag) differs too.
        const res = await sameAnswerByTheChain((app) => request(app).get(bookUrl).set('Cookie', cookie), (text) => text.replace(/^W\/"[0-9a-f]+-[\w+/]{27}"$/, '<hash of the page>'));
        if (table === 'Sessions') assert.ok(res.status >= 500, 'the session layer reports it');
        else assert.match(res.text, /data-cart-count="0"/, 'the page locals fall back to an empty badge');
      } finally {
        await t.db.sql().run(`ALTER TABLE ${table}Away RENAME TO ${table}`);
      }
    }
    await sameAnswerFirst((app) => request(app).get(bookUrl).set('Cookie', cookie));
  });

  test('a request for JSON, made-up query parameters, and a page not stored yet', async () => {
    await stored(bookUrl);
    const { cookie } = await guest(1);
    await sameAnswerByTheChain((app) => request(app).get(bookUrl).set('Cookie', cookie).set('Accept', 'application/json'));
    await sameAnswerByTheChain((app) => request(app).get(`${bookUrl}?utm=1`).set('Cookie', cookie));
    const miss = await sameAnswerByTheChain((app) => request(app).get('/books?page=3&sort=year').set('Cookie', cookie));
    assert.equal(miss.headers['x-page-cache'], 'miss');
  });
});
