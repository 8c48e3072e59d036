import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { parseSqlDate } from '../../db/sql';
import { Shopper, signedInShopper, startTestApp, type TestApp } from '../helpers';

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => app.close());

interface Row {
  sid: string;
  expires: string | Date;
  createdAt: string | Date;
  updatedAt: string | Date;
  data: string;
}

const sessionRows = () => app.db.sql().all<Row>('SELECT sid, expires, createdAt, updatedAt, data FROM Sessions ORDER BY sid');

const rowOf = async (sid: string) => (await app.db.sql().one<Row>('SELECT sid, expires, createdAt, updatedAt, data FROM Sessions WHERE sid = ?', [sid]))!;

/** The session cookie a response sets, if any. */
function sessionCookieSet(res: Response): string | undefined {
  const raw = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  return raw.find((cookie) => cookie.startsWith('epicbook.sid='));
}

/** The session id in the cookie this browser holds. */
function sidOf(shopper: Shopper): string {
  const cookie = shopper.agent.jar.getCookie('epicbook.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false });
  assert.ok(cookie, 'the browser holds a session cookie');
  return /^s:([^.]+)\./.exec(decodeURIComponent(cookie.value))![1];
}

const pastTimestampPrecision = () => new Promise((resolve) => setTimeout(resolve, 1100)); // MySQL keeps whole seconds

/** Moves a session's expiry (row and cookie data alike, as a save writes them) to `msFromNow`. */
async function setExpiry(sid: string, msFromNow: number): Promise<Date> {
  const expires = new Date(Date.now() + msFromNow);
  const row = await rowOf(sid);
  const data = JSON.parse(row.data) as { cookie: { expires: string } };
  data.cookie.expires = expires.toISOString();
  await app.db.sql().run('UPDATE Sessions SET expires = ?, data = ? WHERE sid = ?', [expires, JSON.stringify(data), sid]);
  return expires;
}

// Today's rules (they replaced "every cart change writes the session, and showing its flash message
// writes it again"): a session is written when its contents change, or to renew an expiry that is
// more than half spent; flash messages live in a cookie of their own.
test('a session is written when it starts, not when a cart it already has changes, nor when a message is shown', async () => {
  const shopper = new Shopper(app.app);
  assert.deepEqual(await sessionRows(), [], 'browsing alone stores no session');
  await shopper.add(1, 1).expect(303);
  const sid = sidOf(shopper);
  const saved = await rowOf(sid);
  assert.match(saved.data, /visitorKey/);
  assert.doesNotMatch(saved.data, /flash/);

  await pastTimestampPrecision();
  const shown = await shopper.agent.get('/cart').expect(200);
  assert.match(shown.text, /Added .* to your cart\./);
  for (const page of ['/cart', '/', '/books', '/cart']) {
    const res = await shopper.agent.get(page).expect(200);
    assert.equal(sessionCookieSet(res), undefined, `no session cookie sent again by ${page}`);
  }
  const add = await shopper.add(2, 1).expect(303);
  assert.equal(sessionCookieSet(add), undefined);
  const next = await shopper.agent.get('/cart').expect(200);
  assert.match(next.text, /Added .* to your cart\./);
  await shopper.post('/cart/items/2', { quantity: 3 }).expect(303);
  await shopper.post('/cart/items/2/delete', {}).expect(303);
  assert.deepEqual(await rowOf(sid), saved, 'adds, changes, messages and views left the row as it was');
});

test('an expiry more than half spent is renewed once, in the row and the cookie alike', async () => {
  const shopper = new Shopper(app.app);
  await shopper.add(1, 1).expect(303);
  const sid = sidOf(shopper);
  const maxAge = app.config.sessionMaxAgeMs;

  // Less than half spent: nothing is written.
  const kept = await setExpiry(sid, maxAge * 0.6);
  const fresh = await shopper.agent.get('/cart').expect(200);
  assert.equal(sessionCookieSet(fresh), undefined);
  assert.equal(Math.floor(parseSqlDate((await rowOf(sid)).expires).getTime() / 1000), Math.floor(kept.getTime() / 1000));

  // More than half spent: the next request renews both to a full lifetime from now.
  await setExpiry(sid, maxAge * 0.4);
  const started = Date.now();
  const renewing = await shopper.agent.get('/').expect(200);
  const cookie = sessionCookieSet(renewing);
  assert.ok(cookie, 'the renewed cookie is sent');
  const cookieExpires = new Date(/Expires=([^;]+)/.exec(cookie)![1]).getTime();
  const rowExpires = parseSqlDate((await rowOf(sid)).expires).getTime();
  assert.ok(rowExpires >= started + maxAge - 2000, 'the row lives a full lifetime again');
  assert.ok(Math.abs(cookieExpires - rowExpires) < 1000, 'the cookie expires with the row');

  // Renewed once: the following requests write nothing.
  const renewed = await rowOf(sid);
  await pastTimestampPrecision();
  const after = await shopper.agent.get('/cart').expect(200);
  assert.equal(sessionCookieSet(after), undefined);
  assert.deepEqual(await rowOf(sid), renewed);
});

test('sign-in writes a new session, sign-out deletes it and stores nothing', async () => {
  const { shopper } = await signedInShopper(app, 'Row Counter');
  const sid = sidOf(shopper);
  assert.match((await rowOf(sid)).data, /userId/);
  const before = (await sessionRows()).length;
  await shopper.signOut();
  const rows = await sessionRows();
  assert.equal(rows.length, before - 1);
  assert.ok(!rows.some((row) => row.sid === sid));
  const home = await shopper.agent.get('/').expect(200);
  assert.match(home.text, /You are signed out\./);
  assert.equal((await sessionRows()).length, before - 1, 'showing the message stores nothing');
});
