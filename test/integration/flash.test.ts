import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import { FLASH_COOKIE, openFlash, sealFlash } from '../../middleware/flash';
import { Shopper, csrfFrom, startTestApp, type TestApp } from '../helpers';

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => app.close());

const ADDED = /Added .* to your cart\./;

function setCookies(res: Response): string[] {
  return (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
}

const flashCookieSet = (res: Response) => setCookies(res).find((cookie) => cookie.startsWith(`${FLASH_COOKIE}=`));

const flashValue = (res: Response): string => decodeURIComponent(/^[^=]+=([^;]*)/.exec(flashCookieSet(res)!)![1]);

describe('flash messages', () => {
  test('travel in a short-lived, signed, httpOnly, SameSite=Lax cookie and show once', async () => {
    const shopper = new Shopper(app.app);
    const add = await shopper.add(1).expect(303);
    const cookie = flashCookieSet(add);
    assert.ok(cookie, 'the redirect carries the message');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Max-Age=300/);
    assert.match(cookie, /Path=\//);

    const shown = await shopper.agent.get('/cart').expect(200);
    assert.match(shown.text, ADDED);
    assert.match(flashCookieSet(shown) ?? '', /Expires=Thu, 01 Jan 1970/, 'the cookie is cleared once shown');
    const again = await shopper.agent.get('/cart').expect(200);
    assert.doesNotMatch(again.text, ADDED);
  });

  test('a tampered, forged, expired or garbled flash cookie shows nothing, breaks nothing, and is cleared', async () => {
    const shopper = new Shopper(app.app);
    const genuine = flashValue(await shopper.add(1).expect(303));
    const [version, body, mac] = genuine.split('.');
    const otherText = Buffer.from(JSON.stringify({ t: 'error', m: 'Your account is locked, call 555-0100', e: Date.now() + 60_000 })).toString('base64url');
    const values = [
      `${version}.${otherText}.${mac}`, // another message under the genuine signature
      `${version}.${body}.${mac.slice(0, -2)}AA`, // a changed signature
      sealFlash('not-the-secret', { type: 'error', message: 'Your account is locked, call 555-0100' }), // signed with another key
      sealFlash(app.config.sessionSecret, { type: 'error', message: 'Your account is locked, call 555-0100' }, Date.now() - 10 * 60 * 1000), // long expired
      'garbage', '..', 'f1..', `${version}.${body}`, '%E0%A4%A',
    ];
    for (const value of values) {
      const res = await request(app.app).get('/cart').set('Cookie', `${FLASH_COOKIE}=${encodeURIComponent(value)}`).expect(200);
      assert.doesNotMatch(res.text, /account is locked|Added/, `nothing shown for ${value}`);
      assert.doesNotMatch(res.text, /class="flash/);
      assert.match(flashCookieSet(res) ?? '', /Expires=Thu, 01 Jan 1970/, `${value} is cleared`);
    }
    // A `j:` value is not a string once parsed; the cookie parser drops it (middleware/cookies.ts).
    const json = await request(app.app).get('/cart').set('Cookie', `${FLASH_COOKIE}=${encodeURIComponent('j:{"type":"error","message":"x"}')}`).expect(200);
    assert.doesNotMatch(json.text, /class="flash/);
  });

  test('HTML in a message (a book title) is shown as text', async () => {
    const [book] = await app.db.sql().all<{ id: number; title: string }>('SELECT id, title FROM Books WHERE inventory > 5 ORDER BY id LIMIT 1');
    await app.db.sql().run('UPDATE Books SET title = ? WHERE id = ?', ['<img src=x onerror=alert(1)> & "Friends"', book.id]);
    try {
      const shopper = new Shopper(app.app);
      await shopper.add(book.id).expect(303);
      const page = await shopper.agent.get('/cart').expect(200);
      const flash = /<p class="flash[^>]*>([^<]*)<\/p>/.exec(page.text);
      assert.ok(flash, 'the message is shown');
      assert.equal(flash[1], 'Added “&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; &quot;Friends&quot;” to your cart.');
      assert.doesNotMatch(page.text, /<img src=x/);
    } finally {
      await app.db.sql().run('UPDATE Books SET title = ? WHERE id = ?', [book.title, book.id]);
    }
  });

  test('an add by fetch (JSON) leaves no message for the next page', async () => {
    const shopper = new Shopper(app.app);
    const token = await shopper.csrf();
    const res = await shopper.agent.post('/cart/items').type('form').set('Accept', 'application/json')
      .send(new URLSearchParams({ _csrf: token, bookId: '1' }).toString()).expect(200);
    assert.match(res.body.message, ADDED, 'the script gets the message to show itself');
    assert.equal(flashCookieSet(res), undefined);
    const next = await shopper.agent.get('/cart').expect(200);
    assert.doesNotMatch(next.text, ADDED);
  });

  test('a page showing a message comes from the page cache with the message in its own slot, even without a session, and no one else sees it', async () => {
    const value = sealFlash(app.config.sessionSecret, { type: 'success', message: 'Only for this visitor' });
    // The test app runs in "test", not "development": the page cache is on.
    await request(app.app).get('/?sort=flash-probe').expect(200);
    const flashed = await request(app.app).get('/?sort=flash-probe').set('Cookie', `${FLASH_COOKIE}=${value}`).expect(200);
    assert.match(flashed.text, /Only for this visitor/);
    assert.equal(flashed.headers['x-page-cache'], 'hit');
    const other = await request(app.app).get('/?sort=flash-probe').expect(200);
    assert.doesNotMatch(other.text, /Only for this visitor/);
    assert.ok(csrfFrom(other.text));
  });

  test('a page first rendered while showing a message is stored without it', async () => {
    const value = sealFlash(app.config.sessionSecret, { type: 'success', message: 'Rendered for me alone' });
    const flashed = await request(app.app).get('/?sort=flash-miss').set('Cookie', `${FLASH_COOKIE}=${value}`).expect(200);
    assert.match(flashed.text, /Rendered for me alone/);
    assert.equal(flashed.headers['x-page-cache'], 'miss', 'rendered and stored');
    const other = await request(app.app).get('/?sort=flash-miss').expect(200);
    assert.equal(other.headers['x-page-cache'], 'hit');
    assert.doesNotMatch(other.text, /Rendered for me alone/);
  });
});

describe('the flash cookie format', () => {
  test('opens what it sealed, until it expires', () => {
    const now = Date.now();
    const value = sealFlash('secret', { type: 'error', message: 'Out of “stock” <b>' }, now);
    assert.deepEqual(openFlash('secret', value, now + 1000), { type: 'error', message: 'Out of “stock” <b>' });
    assert.equal(openFlash('secret', value, now + 5 * 60 * 1000 + 1), null);
    assert.equal(openFlash('other', value, now), null);
  });

  test('shortens a message too long for a cookie instead of losing it', () => {
    const value = sealFlash('secret', { type: 'success', message: 'x'.repeat(10_000) });
    assert.ok(value.length < 3000, `cookie value of ${value.length} characters`);
    assert.match(openFlash('secret', value)!.message, /^x+…$/);
  });

  test('measures a message in the bytes it takes in the cookie, not in characters', () => {
    // Each of these is far under 1500 characters yet was a 4-6 kB cookie, which browsers drop.
    for (const [message, kept] of [['漢'.repeat(1400), /^漢+…$/], ['"'.repeat(1400), /^"+…$/], ['📚'.repeat(1000), /^(📚)+…$/u]] as const) {
      const value = sealFlash('secret', { type: 'error', message });
      assert.ok(value.length < 3000, `cookie value of ${value.length} characters`);
      assert.match(openFlash('secret', value)!.message, kept);
    }
    // A message that fits is kept whole.
    const fits = 'Welcome, 美咲! “本”'.repeat(20);
    assert.equal(openFlash('secret', sealFlash('secret', { type: 'success', message: fits }))!.message, fits);
  });
});
