import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { createApp } from '../../app';
import { createLogger } from '../../logger';
import { Book } from '../../models';
import { FLASH_COOKIE, openFlash, sealFlash } from '../../middleware/flash';
import { SESSION_COOKIE } from '../../middleware/session';
import { setStatementHook } from '../../db/sql';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { csrfFrom, startTestApp, type TestApp } from '../helpers';
import { asBytes, bytesOf, guestThrough, headersOf, Jar, outcomeCount, type MadeGuest } from '../early-answers';

const CSRF_COOKIE = 'epicbook.csrf';

// A guest's add-to-cart form (POST /cart/items) is answered before the middleware chain
// (middleware/cart-add.ts). Each test makes two guests alike, sends the same form for one to the app
// with that early answer and for the other to a second app on the same database without it, and
// the two answers must be the same bytes (status, headers in their order but the request id and the
// date, body), the two carts the same afterwards, and the store's own counter must say who answered.

let t: TestApp;
/** The same store without the early add: every request goes down the chain. */
let chain: Express;

before(async () => {
  t = await startTestApp();
  chain = createApp({ config: t.config, db: t.db, logger: createLogger(t.config), earlyCartAdd: false });
});
after(async () => t.close());

type Guest = MadeGuest;

/** A guest with a session and `books` in its cart, made through the chain. */
const guestWith = (books: Array<[bookId: number, quantity?: number]>): Promise<Guest> => guestThrough(chain, t.config.sessionSecret, books);

/** The guest's cart's owner key, from its stored session (none without a session). */
async function visitorKeyOf(jar: Jar): Promise<string | undefined> {
  if (jar.get(SESSION_COOKIE) === undefined) return undefined;
  const [row] = await t.db.sql().all<{ data: string }>('SELECT data FROM Sessions WHERE sid = ?', [jar.sid()]);
  return (JSON.parse(row.data) as { visitorKey?: string }).visitorKey;
}

/** The lines of the guest's open cart, as [book, quantity]. */
async function linesOf(jar: Jar): Promise<Array<[number, number]>> {
  const rows = await t.db.sql().all<{ BookId: number; quantity: number }>(
    "SELECT cb.BookId, cb.quantity FROM Cartbooks cb JOIN Carts c ON c.id = cb.CartId WHERE c.ownerKey = ? AND c.status = 'open' ORDER BY cb.BookId",
    [(await visitorKeyOf(jar)) ?? ''],
  );
  return rows.map((row) => [Number(row.BookId), Number(row.quantity)]);
}

type Outcome = 'early' | 'chain' | 'refused' | 'error';

async function counters(): Promise<Record<Outcome, number> & { cartsCreated: number }> {
  const text = (await request(t.app).get('/metrics').expect(200)).text;
  const count = (outcome: Outcome) => outcomeCount(text, 'epicbook_early_cart_adds_total', outcome);
  const created = Number(/^epicbook_carts_created_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  return { early: count('early'), chain: count('chain'), refused: count('refused'), error: count('error'), cartsCreated: created };
}

/**
 * A message cookie is signed with its expiry, a millisecond apart between two answers: compared by
 * what it says. Its Expires (and a renewed session cookie's) is a second apart at most; a session
 * cookie's value is each guest's own.
 */
function normalised(name: string, value: string): string {
  if (name !== 'set-cookie') return value;
  const when = value.replace(/Expires=[^;]*/, 'Expires=WHEN');
  if (when.startsWith(`${SESSION_COOKIE}=`)) return when.replace(/^[^;]*/, `${SESSION_COOKIE}=SID`);
  if (!when.startsWith(`${FLASH_COOKIE}=`) || when.startsWith(`${FLASH_COOKIE}=;`)) return when;
  const sealed = decodeURIComponent(/^[^=]*=([^;]*)/.exec(when)![1]);
  return when.replace(/^[^;]*/, `${FLASH_COOKIE}=${JSON.stringify(openFlash(t.config.sessionSecret, sealed))}`);
}

interface Send {
  path?: string;
  /** The form's fields; `_csrf` is the guest's own token unless given. */
  fields?: Record<string, string>;
  /** Sent as it is instead of fields, with this content type. */
  raw?: { type: string; body: string };
  headers?: Record<string, string> | ((guest: Guest) => Record<string, string>);
  /** Sends no `_csrf` field. */
  noFormToken?: boolean;
  /** The cookies sent, from the guest's (a forged message, a session cookie tampered with). */
  cookie?: (jar: Jar) => string;
  normaliseBody?: (body: string) => string;
}

/** Sends one guest's form to the app with the early add, the other's to the chain's, and compares the answers. */
async function compare(early: Guest, full: Guest, send: Send = {}): Promise<{ res: Response; moved: Record<Outcome, number> & { cartsCreated: number } }> {
  const { path = '/cart/items', headers = {}, cookie = (jar: Jar) => jar.header(), normaliseBody = (b: string) => b } = send;
  const post = (app: Express, guest: Guest) => {
    let req = asBytes(request(app).post(path).set('Cookie', cookie(guest.jar)));
    for (const [name, value] of Object.entries(typeof headers === 'function' ? headers(guest) : headers)) req = req.set(name, value);
    if (send.raw) return req.type(send.raw.type).send(send.raw.body);
    return req.type('form').send({ ...(send.noFormToken ? {} : { _csrf: guest.token }), ...send.fields });
  };
  const before = await counters();
  const res = await post(t.app, early);
  const afterEarly = await counters();
  const reference = await post(chain, full);
  assert.equal(res.status, reference.status, 'status');
  const normalise = send.normaliseBody ? (name: string, value: string) => (name === 'etag' ? 'ETAG' : normalised(name, value)) : normalised;
  assert.deepEqual(headersOf(res, normalise), headersOf(reference, normalise), 'headers, in order');
  assert.equal(normaliseBody(bytesOf(res).toString('utf8')), normaliseBody(bytesOf(reference).toString('utf8')), 'body');
  if (!send.normaliseBody) assert.ok(bytesOf(res).equals(bytesOf(reference)), 'body bytes');
  assert.deepEqual(await linesOf(early.jar), await linesOf(full.jar), 'the two carts');
  const moved = {
    early: afterEarly.early - before.early,
    chain: afterEarly.chain - before.chain,
    refused: afterEarly.refused - before.refused,
    error: afterEarly.error - before.error,
    cartsCreated: afterEarly.cartsCreated - before.cartsCreated,
  };
  return { res, moved };
}

/**
 * Two guests alike, down to their form token: a guest's token is bound to its token cookie alone, so
 * both may carry one pair, and an error page, which shows the token, is the same for both.
 */
async function twoGuests(books: Array<[number, number?]>): Promise<[Guest, Guest]> {
  const a = await guestWith(books);
  const b = await guestWith(books);
  b.jar.set(CSRF_COOKIE, a.jar.get(CSRF_COOKIE)!);
  b.token = a.token;
  return [a, b];
}

const ANSWERED_EARLY = { early: 1, chain: 0, refused: 0, error: 0, cartsCreated: 0 };
const LEFT_TO_CHAIN = { early: 0, chain: 1, refused: 0, error: 0, cartsCreated: 0 };
/** Refused (the body by the parser, the form by the add's rules, the add by the store), and raised by the chain where it meets it. */
const REFUSED = { early: 0, chain: 0, refused: 1, error: 0, cartsCreated: 0 };
/** The session or the body could not be read early. */
const FAILED = { early: 0, chain: 0, refused: 0, error: 1, cartsCreated: 0 };
const NOT_LOOKED_AT = { early: 0, chain: 0, refused: 0, error: 0, cartsCreated: 0 };

const messageIn = (res: Response): string | null => {
  const line = headersOf(res).find(([name, value]) => name === 'set-cookie' && value.startsWith(`${FLASH_COOKIE}=`) && !value.startsWith(`${FLASH_COOKIE}=;`));
  return line ? openFlash(t.config.sessionSecret, decodeURIComponent(/^[^=]*=([^;]*)/.exec(line[1])![1]))?.message ?? null : null;
};

/** Runs `work` with the book's stock set to `inventory`, and puts it back. */
async function withStock(bookId: number, inventory: number, work: () => Promise<void>): Promise<void> {
  const book = (await Book.findByPk(bookId))!;
  const stock = book.inventory;
  await book.update({ inventory });
  try {
    await work();
  } finally {
    await book.update({ inventory: stock });
  }
}

describe('a guest\'s add answered early', () => {
  test('a new book in a cart with lines: the chain\'s 303, message and cart, byte for byte', async () => {
    const [a, b] = await twoGuests([[3, 2], [7]]);
    const { res, moved } = await compare(a, b, { fields: { bookId: '12', quantity: '1', returnTo: '/cart' } });
    assert.deepEqual(moved, ANSWERED_EARLY);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/cart');
    const title = (await Book.findByPk(12))!.title;
    assert.equal(messageIn(res), `Added “${title}” to your cart.`);
    assert.deepEqual(await linesOf(a.jar), [[3, 2], [7, 1], [12, 1]]);
    // The next page shows the message, and the badge counts the new line.
    const page = await request(t.app).get('/cart').set('Cookie', a.jar.keep(res) && a.jar.header()).expect(200);
    assert.match(page.text, /Added “/);
    assert.match(page.text, /data-cart-count="4"/);
  });

  test('more copies of a book already in the cart, with no quantity (one) and with three', async () => {
    await withStock(5, 20, async () => {
      const [a, b] = await twoGuests([[5]]);
      assert.deepEqual((await compare(a, b, { fields: { bookId: '5' } })).moved, ANSWERED_EARLY);
      const { res, moved } = await compare(a, b, { fields: { bookId: '5', quantity: ' 3 ' } });
      assert.deepEqual(moved, ANSWERED_EARLY);
      assert.match(messageIn(res) ?? '', /^Added 3 copies of “/);
      assert.deepEqual(await linesOf(a.jar), [[5, 5]]);
    });
  });

  test('the form\'s way back: a local path is kept, another site\'s is not', async () => {
    const [a, b] = await twoGuests([[1]]);
    for (const [returnTo, location] of [['/books/2?page=3', '/books/2?page=3'], ['https://evil.example/', '/cart'], ['//evil.example/x', '/cart'], ['/\\evil.example', '/cart']]) {
      const { res, moved } = await compare(a, b, { fields: { bookId: '2', returnTo } });
      assert.deepEqual(moved, ANSWERED_EARLY, returnTo);
      assert.equal(res.headers.location, location, returnTo);
    }
  });

  test('a message still pending from the last change is replaced, as by the chain', async () => {
    const [a, b] = await twoGuests([[4]]);
    const pending = encodeURIComponent(sealFlash(t.config.sessionSecret, { type: 'success', message: 'Your cart is updated.' }));
    const { res, moved } = await compare(a, b, { fields: { bookId: '6' }, cookie: (jar) => `${jar.header()}; ${FLASH_COOKIE}=${pending}` });
    assert.deepEqual(moved, ANSWERED_EARLY);
    assert.equal(headersOf(res).filter(([name]) => name === 'set-cookie').length, 1, 'one cookie: the new message');
    assert.match(messageIn(res) ?? '', /^Added “/);
  });

  test('over HTTPS through the proxy (a Secure message cookie), a token in the header, and an HTML client\'s Accept', async () => {
    const [a, b] = await twoGuests([[8]]);
    const secure = await compare(a, b, { fields: { bookId: '9' }, headers: { 'X-Forwarded-Proto': 'https' } });
    assert.deepEqual(secure.moved, ANSWERED_EARLY);
    assert.ok(headersOf(secure.res).some(([name, value]) => name === 'set-cookie' && /; Secure;/.test(value)));
    const header = await compare(a, b, { fields: { bookId: '10' }, noFormToken: true, headers: (guest) => ({ 'X-CSRF-Token': guest.token }) });
    assert.deepEqual(header.moved, ANSWERED_EARLY);
    // A form field, even an empty one, is what the check reads when there is one, as in the chain.
    const emptyField = await compare(a, b, { fields: { bookId: '10', _csrf: '' }, headers: (guest) => ({ 'X-CSRF-Token': guest.token }) });
    assert.equal(emptyField.res.status, 403);
    assert.deepEqual(emptyField.moved, LEFT_TO_CHAIN);
    const accept = await compare(a, b, { fields: { bookId: '10' }, headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.deepEqual(accept.moved, ANSWERED_EARLY);
  });

  test('a guest whose last cart became an order gets a new cart, counted as a cart created', async () => {
    const [a, b] = await twoGuests([[11]]);
    for (const guest of [a, b]) {
      await t.db.sql().run("UPDATE Carts SET status = 'ordered' WHERE ownerKey = ? AND status = 'open'", [(await visitorKeyOf(guest.jar)) ?? '']);
    }
    const { moved } = await compare(a, b, { fields: { bookId: '13' } });
    assert.deepEqual(moved, { ...ANSWERED_EARLY, cartsCreated: 1 });
    assert.deepEqual(await linesOf(a.jar), [[13, 1]]);
  });
});

describe('what the early add leaves to the chain, answered as the chain answers it', () => {
  test('no token, a wrong one, and another guest\'s: 403, nothing added', async () => {
    const [a, b] = await twoGuests([[2]]);
    const other = await guestWith([]);
    for (const token of ['', 'abc', other.token]) {
      const { res, moved } = await compare(a, b, { fields: { bookId: '3', _csrf: token } });
      assert.equal(res.status, 403, token);
      assert.deepEqual(moved, LEFT_TO_CHAIN, token);
    }
    assert.deepEqual(await linesOf(a.jar), [[2, 1]]);
  });

  test('a form the route refuses: a bad book id (400), a bad quantity (422), a book that is not there (404)', async () => {
    const [a, b] = await twoGuests([[2]]);
    for (const [fields, status] of [[{ bookId: 'abc' }, 400], [{}, 400], [{ bookId: ['3', '4'] as unknown as string }, 400], [{ bookId: '3', quantity: '0' }, 422], [{ bookId: '3', quantity: '1e3' }, 422], [{ bookId: '99999' }, 404]] as const) {
      const { res, moved } = await compare(a, b, { fields });
      assert.equal(res.status, status, JSON.stringify(fields));
      assert.deepEqual(moved, REFUSED, JSON.stringify(fields));
    }
    assert.deepEqual(await linesOf(a.jar), [[2, 1]]);
  });

  test('an add the store refuses (too few copies): the route\'s answer, the add tried once', async () => {
    await withStock(14, 2, async () => {
      const [a, b] = await twoGuests([[14, 2]]);
      let adds = 0;
      setStatementHook((text) => {
        if (/^(BEGIN|START TRANSACTION)/.test(text)) adds += 1;
      });
      let answer: Awaited<ReturnType<typeof compare>>;
      try {
        answer = await compare(a, b, { fields: { bookId: '14', returnTo: '/books/14' } });
      } finally {
        setStatementHook(null);
      }
      assert.deepEqual(answer.moved, REFUSED);
      assert.equal(answer.res.status, 409);
      assert.match(bytesOf(answer.res).toString(), /only 2 copies of “/);
      assert.equal(adds, 2, 'one write transaction for each app');
      assert.deepEqual(await linesOf(a.jar), [[14, 2]]);
    });
  });

  test('bodies the parser refuses: over the size limit (413), too many fields (413), an unknown charset (415), raised by the chain\'s parser', async () => {
    const [a, b] = await twoGuests([[2]]);
    const cases: Array<[Send['raw'], number]> = [
      [{ type: 'application/x-www-form-urlencoded', body: `bookId=3&pad=${'x'.repeat(17 * 1024)}` }, 413],
      [{ type: 'application/x-www-form-urlencoded', body: Array.from({ length: 60 }, (_, i) => `f${i}=1`).join('&') }, 413],
      [{ type: 'application/x-www-form-urlencoded; charset=koi8-r', body: 'bookId=3' }, 415],
    ];
    for (const [raw, status] of cases) {
      const { res, moved } = await compare(a, b, { raw });
      assert.equal(res.status, status, raw!.type);
      assert.deepEqual(moved, REFUSED, raw!.type);
    }
    assert.deepEqual(await linesOf(a.jar), [[2, 1]]);
  });

  test('a body that is no form: JSON (the chain\'s JSON parser reads it), and none at all', async () => {
    const [a, b] = await twoGuests([[2]]);
    const json = await compare(a, b, { raw: { type: 'application/json', body: JSON.stringify({ bookId: '3' }) } });
    assert.deepEqual(json.moved, LEFT_TO_CHAIN);
    assert.equal(json.res.status, 403, 'no token in it');
    const none = await compare(a, b, { raw: { type: 'text/plain', body: '' } });
    assert.deepEqual(none.moved, LEFT_TO_CHAIN);
    // An empty form is a form: without a token in it, the chain's CSRF check refuses it.
    const empty = await compare(a, b, { raw: { type: 'application/x-www-form-urlencoded', body: '' } });
    assert.deepEqual(empty.moved, LEFT_TO_CHAIN);
    assert.equal(empty.res.status, 403);
  });

  test('a client that wants JSON, a query string, another spelling of the path', async () => {
    const [a, b] = await twoGuests([[2]]);
    const json = await compare(a, b, { fields: { bookId: '3' }, headers: { Accept: 'application/json' } });
    assert.deepEqual(json.moved, NOT_LOOKED_AT);
    assert.equal(json.res.status, 200);
    for (const path of ['/cart/items?x=1', '/cart/items/', '/CART/items']) {
      const { moved } = await compare(a, b, { path, fields: { bookId: '4' } });
      assert.deepEqual(moved, NOT_LOOKED_AT, path);
    }
  });

  test('a session the chain must load: tampered with, expired, without a cart\'s key yet, signed in', async () => {
    const [a, b] = await twoGuests([[2]]);
    const tampered = (jar: Jar) => `${jar.header([SESSION_COOKIE])}; ${SESSION_COOKIE}=${encodeURIComponent(`${decodeURIComponent(jar.get(SESSION_COOKIE)!)}x`)}`;
    // The chain starts a new session for it, with a new cart; the old one is as it was.
    assert.deepEqual((await compare(a, b, { fields: { bookId: '3' }, cookie: tampered })).moved, { ...LEFT_TO_CHAIN, cartsCreated: 1 });
    assert.deepEqual(await linesOf(a.jar), [[2, 1]]);

    const [c, d] = await twoGuests([[2]]);
    for (const guest of [c, d]) await t.db.sql().run('UPDATE Sessions SET expires = ? WHERE sid = ?', [new Date(Date.now() - 1000), guest.jar.sid()]);
    const expired = await compare(c, d, { fields: { bookId: '3' } });
    assert.deepEqual(expired.moved, { ...LEFT_TO_CHAIN, cartsCreated: 1 }, 'a new session, with a new cart');
    assert.equal(expired.res.status, 303);

    const [e, f] = await twoGuests([[2]]);
    for (const guest of [e, f]) {
      const [row] = await t.db.sql().all<{ data: string }>('SELECT data FROM Sessions WHERE sid = ?', [guest.jar.sid()]);
      const { visitorKey: _key, ...rest } = JSON.parse(row.data) as { visitorKey: string };
      await t.db.sql().run('UPDATE Sessions SET data = ? WHERE sid = ?', [JSON.stringify(rest), guest.jar.sid()]);
    }
    const keyless = await compare(e, f, { fields: { bookId: '3' } });
    assert.deepEqual(keyless.moved, { ...LEFT_TO_CHAIN, cartsCreated: 1 });
    assert.deepEqual(await linesOf(e.jar), [[3, 1]], 'the first add gave the session its key');

    const [g, h] = await twoGuests([[2]]);
    for (const [guest, who] of [[g, 'g'], [h, 'h']] as const) {
      const form = guest.jar.keep(await request(chain).get('/register').set('Cookie', guest.jar.header()).expect(200));
      guest.jar.keep(await request(chain).post('/register').set('Cookie', guest.jar.header()).type('form').send({
        _csrf: csrfFrom(form.text), name: 'Grace Hopper', email: `grace-${who}-${process.pid}@example.com`, password: 'correct-horse-battery',
      }).expect(303));
      guest.token = csrfFrom(guest.jar.keep(await request(chain).get('/books?page=2').set('Cookie', guest.jar.header()).expect(200)).text);
      guest.jar.drop(FLASH_COOKIE);
    }
    const signedIn = await compare(g, h, { fields: { bookId: '3' } });
    assert.deepEqual(signedIn.moved, LEFT_TO_CHAIN);
    assert.equal(signedIn.res.status, 303);
  });

  test('a visitor without a session cookie (its first add starts the session)', async () => {
    const [a, b] = await twoGuests([]);
    const { res, moved } = await compare(a, b, { fields: { bookId: '3' } });
    assert.deepEqual(moved, { ...NOT_LOOKED_AT, cartsCreated: 1 });
    assert.equal(res.status, 303);
    assert.ok(headersOf(res).some(([name, value]) => name === 'set-cookie' && value.startsWith(`${SESSION_COOKIE}=`)), 'a session started');
  });

  /** Makes the first statement matching `pattern` fail, once. */
  const failOnce = (pattern: RegExp) => {
    let armed = true;
    setStatementHook((text) => {
      if (armed && pattern.test(text)) {
        armed = false;
        throw new Error('the disk is away');
      }
    });
  };

  for (const [what, pattern] of [['a read of the cart\'s lines', /Cartbooks/], ['its COMMIT', /^COMMIT/]] as const) {
    test(`an add that fails for no reason of the store's (${what}): the chain's error page, and the add is not tried again`, async () => {
      const [a, b] = await twoGuests([[2]]);
      const post = (app: Express, guest: Guest) => asBytes(request(app).post('/cart/items').set('Cookie', guest.jar.header())).type('form').send({ _csrf: guest.token, bookId: '3' });
      const reference = (body: string) => body.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'REFERENCE');
      const withoutEtag = (name: string, value: string) => (name === 'etag' ? 'ETAG' : normalised(name, value));
      let res: Response;
      let full: Response;
      const before = await counters();
      try {
        // Tried a second time, the add would succeed.
        failOnce(pattern);
        res = await post(t.app, a);
        failOnce(pattern);
        full = await post(chain, b);
      } finally {
        setStatementHook(null);
      }
      const after = await counters();
      assert.equal(res.status, 500);
      assert.equal(full.status, 500);
      assert.deepEqual(headersOf(res, withoutEtag), headersOf(full, withoutEtag));
      assert.equal(reference(bytesOf(res).toString('utf8')), reference(bytesOf(full).toString('utf8')));
      assert.deepEqual({ early: after.early - before.early, error: after.error - before.error }, { early: 0, error: 1 });
      assert.deepEqual(await linesOf(a.jar), [[2, 1]]);
      assert.deepEqual(await linesOf(b.jar), [[2, 1]]);
      assert.deepEqual((await compare(a, b, { fields: { bookId: '3' } })).moved, ANSWERED_EARLY, 'answered early again');
    });
  }

  test('a session that could not be read early: the chain reads it and adds, once', async () => {
    const [a, b] = await twoGuests([[2]]);
    failOnce(/FROM Sessions/);
    let answer: Awaited<ReturnType<typeof compare>>;
    try {
      answer = await compare(a, b, { fields: { bookId: '3' } });
    } finally {
      setStatementHook(null);
    }
    assert.deepEqual(answer.moved, FAILED);
    assert.equal(answer.res.status, 303);
    assert.deepEqual(await linesOf(a.jar), [[2, 1], [3, 1]]);
  });

  /**
   * Posts `chunks` as one chunked body, `pauseMs` apart, on a raw socket (Node's own client may hold
   * back a response that comes before its request is sent); resolves to the status.
   */
  async function rawPost(app: Express, headers: Record<string, string>, chunks: Buffer[], pauseMs = 0): Promise<number> {
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      const head = Object.entries({ ...headers, host: '127.0.0.1', 'transfer-encoding': 'chunked' }).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      socket.write(`POST /cart/items HTTP/1.1\r\n${head}\r\n`);
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        socket.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
      }
      socket.write('0\r\n\r\n');
      let answer = '';
      while (!answer.includes('\r\n')) answer += String(((await once(socket, 'data')) as [Buffer])[0]);
      return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
    } finally {
      socket.destroy();
      server.close();
    }
  }

  test('a compressed form is read once: a second form after the first\'s end is not read as a new one', async () => {
    const [a, b] = await twoGuests([[2]]);
    const gzipped = (guest: Guest, fields: Record<string, string>) => ({
      headers: { cookie: guest.jar.header(), 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
      form: gzipSync(new URLSearchParams(fields).toString()),
    });
    const before = await counters();
    const early = gzipped(a, { _csrf: a.token, bookId: '3' });
    assert.equal(await rawPost(t.app, early.headers, [early.form]), 303);
    assert.equal((await counters()).early - before.early, 1, 'answered early');
    const full = gzipped(b, { _csrf: b.token, bookId: '3' });
    assert.equal(await rawPost(chain, full.headers, [full.form]), 303);
    assert.deepEqual(await linesOf(a.jar), [[2, 1], [3, 1]]);
    assert.deepEqual(await linesOf(b.jar), [[2, 1], [3, 1]]);

    // A form without a token, padding, and after a pause a form with one: the parser stops at the
    // first form's end and drains the rest; the chain must not read the rest as the form.
    for (const [app, guest] of [[t.app, a], [chain, b]] as const) {
      const { headers, form } = gzipped(guest, { bookId: '4' });
      const second = gzipSync(new URLSearchParams({ _csrf: guest.token, bookId: '4' }).toString());
      assert.equal(await rawPost(app, headers, [Buffer.concat([form, Buffer.from([0])]), second], 150), 403, 'the first form, without its token');
      assert.deepEqual(await linesOf(guest.jar), [[2, 1], [3, 1]]);
    }
  });

  test('a request passed on is timed from its arrival: the early part counts in its latency', async () => {
    await withStock(15, 1, async () => {
      const [a] = await twoGuests([[15]]);
      const latency = async () => {
        const text = (await request(t.app).get('/metrics').expect(200)).text;
        return Number(/^epicbook_http_request_duration_seconds_sum\{[^}]*route="\/cart\/items",status="409"[^}]*\} (\S+)/m.exec(text)?.[1] ?? 0);
      };
      const before = await latency();
      // The early add's first read of the cart's lines takes 300 ms; the store then refuses the add.
      let slow = true;
      setStatementHook((text) => {
        if (slow && /Cartbooks/.test(text)) {
          slow = false;
          const until = Date.now() + 300;
          while (Date.now() < until);
        }
      });
      try {
        await request(t.app).post('/cart/items').set('Cookie', a.jar.header()).type('form').send({ _csrf: a.token, bookId: '15' }).expect(409);
      } finally {
        setStatementHook(null);
      }
      assert.ok((await latency()) - before >= 0.3, 'the 300 ms before the route are in its latency');
    });
  });
});
