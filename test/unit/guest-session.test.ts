import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { SessionData } from 'express-session';
import { guestOf, guestSessions } from '../../middleware/guest-session';
import { renewalDue } from '../../middleware/session';

const DAY = 24 * 60 * 60 * 1000;
const MAX_AGE = 14 * DAY;
const NOW = Date.UTC(2026, 10, 22, 12);
const SECRET = 'a-secret-of-at-least-thirty-two-characters';

/** Session data as express-session stores it, with its cookie expiring `inMs` from NOW. */
function stored(inMs: number, extra: Record<string, unknown> = {}): SessionData {
  const expires = new Date(NOW + inMs).toISOString();
  return JSON.parse(JSON.stringify({ cookie: { originalMaxAge: MAX_AGE, expires, httpOnly: true, path: '/', sameSite: 'lax' }, ...extra })) as SessionData;
}

/** The cookie value express-session sends for `sid`: 's:', the id, and its HMAC in unpadded base64. */
function signed(sid: string, secret = SECRET): string {
  return `s:${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`;
}

describe('renewalDue', () => {
  test('once less than half the lifetime is left, and for an invalid date; never without an expiry', () => {
    assert.equal(renewalDue(new Date(NOW + MAX_AGE), MAX_AGE, NOW), false);
    assert.equal(renewalDue(new Date(NOW + MAX_AGE / 2), MAX_AGE, NOW), false, 'exactly half left');
    assert.equal(renewalDue(new Date(NOW + MAX_AGE / 2 - 1), MAX_AGE, NOW), true);
    assert.equal(renewalDue(new Date(NOW - 1), MAX_AGE, NOW), true);
    assert.equal(renewalDue(new Date('not a date'), MAX_AGE, NOW), true);
    assert.equal(renewalDue(null, MAX_AGE, NOW), false);
    assert.equal(renewalDue(undefined, MAX_AGE, NOW), false);
  });
});

describe('guestOf', () => {
  test('a guest\'s session with a cart, or without one yet, or renewed before', () => {
    assert.deepEqual(guestOf(stored(MAX_AGE, { visitorKey: 'key-1' }), MAX_AGE, NOW), { visitorKey: 'key-1' });
    assert.deepEqual(guestOf(stored(MAX_AGE), MAX_AGE, NOW), { visitorKey: undefined });
    assert.deepEqual(guestOf(stored(MAX_AGE, { visitorKey: 'key-1', renewedAt: NOW - DAY }), MAX_AGE, NOW), { visitorKey: 'key-1' });
  });

  test('a session without an expiry is a guest\'s too: express-session never renews it', () => {
    const data = stored(MAX_AGE, { visitorKey: 'key-1' });
    (data.cookie as unknown as Record<string, unknown>).expires = null;
    assert.deepEqual(guestOf(data, MAX_AGE, NOW), { visitorKey: 'key-1' });
  });

  test('left to the chain: a signed-in session, anything it does not know, a renewal due, an expiry of the wrong type', () => {
    assert.equal(guestOf(stored(MAX_AGE, { visitorKey: 'key-1', userId: 7 }), MAX_AGE, NOW), null, 'an account');
    assert.equal(guestOf(stored(MAX_AGE, { visitorKey: 'key-1', userId: null }), MAX_AGE, NOW), null, 'an account, however odd');
    assert.equal(guestOf(stored(MAX_AGE, { visitorKey: 'key-1', id: 'x' }), MAX_AGE, NOW), null, 'a key express-session would not copy');
    assert.equal(guestOf(stored(MAX_AGE, { visitorKey: 42 }), MAX_AGE, NOW), null, 'a cart key that is not ours');
    assert.equal(guestOf(stored(MAX_AGE / 2 - 1000, { visitorKey: 'key-1' }), MAX_AGE, NOW), null, 'due for renewal');
    const withMaxAge = stored(MAX_AGE, { visitorKey: 'key-1' });
    (withMaxAge.cookie as unknown as Record<string, unknown>).maxAge = 1000;
    assert.equal(guestOf(withMaxAge, MAX_AGE, NOW), null, 'a stored maxAge: the loaded cookie would get an expiry of its own');
    for (const expires of [12345, true, {}, 'garbage']) {
      const data = stored(MAX_AGE, { visitorKey: 'key-1' });
      (data.cookie as unknown as Record<string, unknown>).expires = expires;
      assert.equal(guestOf(data, MAX_AGE, NOW), null, `expires ${JSON.stringify(expires)}`);
    }
  });
});

describe('guestSessions', () => {
  function storeOf(sessions: Record<string, SessionData>) {
    const asked: string[] = [];
    return {
      asked,
      store: {
        read: async (sid: string) => {
          asked.push(sid);
          return sessions[sid] ?? null;
        },
      },
    };
  }

  test('reads the session whose id the cookie signs, as express-session does', async () => {
    const { asked, store } = storeOf({ 'sid-1': stored(MAX_AGE, { visitorKey: 'key-1' }) });
    const guests = guestSessions(store, { secret: SECRET, maxAgeMs: MAX_AGE });
    const guest = await guests(signed('sid-1'));
    assert.equal(guest?.visitorKey, 'key-1');
    assert.deepEqual(asked, ['sid-1']);
  });

  test('an unsigned, tampered or foreign-signed cookie reads nothing', async () => {
    const { asked, store } = storeOf({ 'sid-1': stored(MAX_AGE, { visitorKey: 'key-1' }) });
    const guests = guestSessions(store, { secret: SECRET, maxAgeMs: MAX_AGE });
    const good = signed('sid-1');
    for (const cookie of ['sid-1', good.slice(2), `${good.slice(0, -1)}A`, signed('sid-2').replace('sid-2', 'sid-1'), signed('sid-1', 'another-secret-of-thirty-two-characters'), 's:', '']) {
      assert.equal(await guests(cookie), null, cookie);
    }
    assert.deepEqual(asked, []);
  });

  test('no row, or one that is not a guest\'s: null; a failed read rejects', async () => {
    const { store } = storeOf({ 'sid-1': stored(MAX_AGE, { visitorKey: 'key-1', userId: 3 }) });
    const guests = guestSessions(store, { secret: SECRET, maxAgeMs: MAX_AGE });
    assert.equal(await guests(signed('sid-1')), null);
    assert.equal(await guests(signed('sid-2')), null);
    const failing = guestSessions({ read: async () => { throw new Error('database away'); } }, { secret: SECRET, maxAgeMs: MAX_AGE });
    await assert.rejects(failing(signed('sid-1')), /database away/);
  });
});
