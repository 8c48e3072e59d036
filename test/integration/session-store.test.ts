import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import type { SessionData } from 'express-session';
import { SqlSessionStore } from '../../middleware/session-store';
import { parseSqlDate, setStatementHook } from '../../db/sql';
import { Shopper, badgeCount, signedInShopper, startTestApp, type TestApp } from '../helpers';

let app: TestApp;
let store: SqlSessionStore;
before(async () => {
  app = await startTestApp();
  store = new SqlSessionStore(app.db, { maxAgeMs: app.config.sessionMaxAgeMs, purgeIntervalMs: 0 });
});
after(async () => app.close());

const get = (sid: string) => new Promise<SessionData | null | undefined>((resolve, reject) => {
  store.get(sid, (error, data) => (error ? reject(error) : resolve(data)));
});
const set = (sid: string, data: SessionData) => new Promise<void>((resolve, reject) => {
  store.set(sid, data, (error) => (error ? reject(error) : resolve()));
});
const destroy = (sid: string) => new Promise<void>((resolve, reject) => {
  store.destroy(sid, (error) => (error ? reject(error) : resolve()));
});

const row = (sid: string) =>
  app.db.sql().one<{ sid: string; expires: string | Date; data: string; createdAt: string | Date; updatedAt: string | Date }>(
    'SELECT sid, expires, data, createdAt, updatedAt FROM Sessions WHERE sid = ?', [sid]);

const sessionData = (expires: Date, extra: Partial<SessionData> = {}) =>
  ({ cookie: { originalMaxAge: app.config.sessionMaxAgeMs, expires, httpOnly: true, path: '/', sameSite: 'lax' }, ...extra }) as unknown as SessionData;

/** A session cookie for `sid` signed as express-session signs it. */
function signedCookie(sid: string, secret = app.config.sessionSecret): string {
  const mac = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return `epicbook.sid=${encodeURIComponent(`s:${sid}.${mac}`)}`;
}

describe('the SQL session store', () => {
  test('writes the Sessions row as connect-session-sequelize did, and upserts it in place', async () => {
    const expires = new Date(Date.now() + 60_000);
    await set('store-a', sessionData(expires, { visitorKey: 'key-a' }));
    const first = await row('store-a');
    assert.ok(first);
    assert.equal(parseSqlDate(first.expires).getTime() / 1000 | 0, expires.getTime() / 1000 | 0, 'the row expires with the cookie');
    assert.deepEqual(JSON.parse(first.data), JSON.parse(JSON.stringify(sessionData(expires, { visitorKey: 'key-a' }))));
    assert.equal((await get('store-a'))?.visitorKey, 'key-a');

    await new Promise((resolve) => setTimeout(resolve, 1100)); // MySQL keeps whole seconds
    const later = new Date(Date.now() + 120_000);
    await set('store-a', sessionData(later, { visitorKey: 'key-b' }));
    const second = await row('store-a');
    assert.equal(JSON.parse(second!.data).visitorKey, 'key-b');
    assert.equal(String(second!.createdAt), String(first.createdAt), 'created once');
    assert.notEqual(String(second!.updatedAt), String(first.updatedAt), 'updated');
    assert.equal(parseSqlDate(second!.expires).getTime() / 1000 | 0, later.getTime() / 1000 | 0);

    await destroy('store-a');
    assert.equal(await row('store-a'), undefined);
    assert.equal(await get('store-a'), null);
    await destroy('store-a'); // already gone: not an error
  });

  test('reads rows the previous store wrote through Sequelize', async () => {
    const expires = new Date(Date.now() + 60_000);
    // What connect-session-sequelize's model wrote: Sequelize's own date format and JSON data.
    await app.db.sequelize.query('INSERT INTO Sessions (sid, expires, data, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)', {
      replacements: ['store-legacy', expires, JSON.stringify(sessionData(expires, { visitorKey: 'legacy' })), new Date(), new Date()],
    });
    assert.equal((await get('store-legacy'))?.visitorKey, 'legacy');
  });

  test('never serves an expired row, nor one it cannot read', async () => {
    await set('store-expired', sessionData(new Date(Date.now() - 1000), { visitorKey: 'old' }));
    assert.equal(await get('store-expired'), null);
    await set('store-live', sessionData(new Date(Date.now() + 60_000)));
    for (const data of ['not json', '"a string"', 'null', '{"no":"cookie"}']) {
      await app.db.sql().run('UPDATE Sessions SET data = ? WHERE sid = ?', [data, 'store-live']);
      assert.equal(await get('store-live'), null, data);
    }
    await app.db.sql().run('UPDATE Sessions SET expires = NULL WHERE sid = ?', ['store-live']);
    assert.equal(await get('store-live'), null, 'no expiry');
  });

  test('reads the sessions asked for together in one statement, each caller its own copy, a missing one null', async () => {
    const expires = new Date(Date.now() + 60_000);
    for (const sid of ['batch-a', 'batch-b', 'batch-c']) await set(sid, sessionData(expires, { visitorKey: `key-${sid}` }));
    const statements: string[] = [];
    setStatementHook((text) => {
      if (/FROM Sessions/.test(text)) statements.push(text);
    });
    try {
      // The first read runs at once; those asked for while it runs share the next.
      const reads = await Promise.all(['batch-a', 'batch-b', 'batch-c', 'batch-b', 'batch-none'].map((sid) => store.read(sid)));
      assert.deepEqual(reads.map((data) => data?.visitorKey ?? null), ['key-batch-a', 'key-batch-b', 'key-batch-c', 'key-batch-b', null]);
      assert.notEqual(reads[1], reads[3], 'express-session changes the object it is given: never shared');
      assert.equal(statements.length, 2);
      assert.match(statements[1], /WHERE sid IN \(\?, \?, \?, \?\)/, 'three ids, padded to four');
    } finally {
      setStatementHook(null);
    }
  });

  test('the purge deletes the rows past their expiry and only those', async () => {
    await set('purge-old', sessionData(new Date(Date.now() - 60_000)));
    await set('purge-new', sessionData(new Date(Date.now() + 60_000)));
    const purged = await store.purgeExpired();
    assert.ok(purged >= 1);
    assert.equal(await row('purge-old'), undefined);
    assert.ok(await row('purge-new'));
  });

  test('stops its purge timer on close, so a closed database is not queried', () => {
    const timed = new SqlSessionStore(app.db, { maxAgeMs: 1000, purgeIntervalMs: 10 });
    const timer = (timed as unknown as { purgeTimer: NodeJS.Timeout | null }).purgeTimer;
    assert.ok(timer, 'a purge is scheduled');
    assert.equal(timer.hasRef(), false, 'and does not keep the process alive');
    timed.close();
    assert.equal((timed as unknown as { purgeTimer: NodeJS.Timeout | null }).purgeTimer, null);
  });
});

describe('session cookies the app must not trust', () => {
  test('an expired session is not served: its shopper is a guest with an empty cart', async () => {
    const { shopper } = await signedInShopper(app, 'Expiring Reader');
    await shopper.add(1, 2).expect(303);
    const cookie = shopper.agent.jar.getCookie('epicbook.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })!;
    const sid = /^s:([^.]+)\./.exec(decodeURIComponent(cookie.value))![1];
    await app.db.sql().run('UPDATE Sessions SET expires = ? WHERE sid = ?', [new Date(Date.now() - 1000), sid]);
    const page = await shopper.agent.get('/cart').expect(200);
    assert.doesNotMatch(page.text, /Sign out/);
    assert.equal(badgeCount(page.text), 0);
    await shopper.agent.get('/account/orders').expect(303);
  });

  test('a forged, unsigned or wrongly signed session cookie is ignored', async () => {
    const { shopper } = await signedInShopper(app, 'Cookie Owner');
    const cookie = shopper.agent.jar.getCookie('epicbook.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })!;
    const sid = /^s:([^.]+)\./.exec(decodeURIComponent(cookie.value))![1];
    // The genuine cookie works, which is what makes the others' failure mean something.
    await request(app.app).get('/account/orders').set('Cookie', signedCookie(sid)).expect(200);
    for (const forged of [`epicbook.sid=${sid}`, signedCookie(sid, 'guessed-secret'), `epicbook.sid=s%3A${sid}.AAAA`, 'epicbook.sid=s%3A', 'epicbook.sid=%ZZ']) {
      const res = await request(app.app).get('/account/orders').set('Cookie', forged);
      assert.equal(res.status, 303, forged);
      assert.match(res.headers.location, /^\/login/);
    }
  });

  test('a cookie naming a session with an unreadable row is a guest, not an error', async () => {
    const shopper = new Shopper(app.app);
    await shopper.add(1).expect(303);
    const cookie = shopper.agent.jar.getCookie('epicbook.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })!;
    const sid = /^s:([^.]+)\./.exec(decodeURIComponent(cookie.value))![1];
    await app.db.sql().run('UPDATE Sessions SET data = ? WHERE sid = ?', ['{broken', sid]);
    const page = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(page.text), 0);
    await shopper.add(2).expect(303);
    const renewed = shopper.agent.jar.getCookie('epicbook.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })!;
    const newSid = /^s:([^.]+)\./.exec(decodeURIComponent(renewed.value))![1];
    assert.notEqual(newSid, sid, 'the next change starts a new session');
    assert.match((await row(newSid))?.data ?? '', /visitorKey/);
    assert.equal(badgeCount((await shopper.agent.get('/cart').expect(200)).text), 1);
  });
});
