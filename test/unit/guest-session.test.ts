import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type session from 'express-session';
import { guestOf } from '../../middleware/guest-session';
import { renewalDue } from '../../middleware/session';

const DAY = 24 * 60 * 60 * 1000;
const MAX_AGE = 14 * DAY;
const NOW = Date.UTC(2026, 10, 22, 12);

/** A stored session as express-session writes it (its cookie serialised as JSON). */
function stored(data: Record<string, unknown>, cookie: Record<string, unknown> = {}): session.SessionData {
  return {
    cookie: { originalMaxAge: MAX_AGE, expires: new Date(NOW + 10 * DAY).toISOString(), secure: false, httpOnly: true, path: '/', sameSite: 'lax', ...cookie },
    ...data,
  } as unknown as session.SessionData;
}

describe('renewalDue (middleware/session.ts renew)', () => {
  test('due once less than half the lifetime is left, or for an expiry that is not a date; never without one', () => {
    assert.equal(renewalDue(new Date(NOW + 8 * DAY), MAX_AGE, NOW), false);
    assert.equal(renewalDue(new Date(NOW + 7 * DAY), MAX_AGE, NOW), false, 'exactly half left');
    assert.equal(renewalDue(new Date(NOW + 7 * DAY - 1), MAX_AGE, NOW), true);
    assert.equal(renewalDue(new Date(NOW - 1), MAX_AGE, NOW), true);
    assert.equal(renewalDue(new Date('not a date'), MAX_AGE, NOW), true);
    assert.equal(renewalDue(null, MAX_AGE, NOW), false);
    assert.equal(renewalDue(undefined, MAX_AGE, NOW), false);
  });
});

describe('guestOf: a stored session the early answer may serve', () => {
  test('a guest\'s, with or without a cart key, and one renewed before', () => {
    assert.deepEqual(guestOf(stored({ visitorKey: 'k1' }), MAX_AGE, NOW), { visitorKey: 'k1' });
    assert.deepEqual(guestOf(stored({}), MAX_AGE, NOW), { visitorKey: undefined });
    assert.deepEqual(guestOf(stored({ visitorKey: 'k2', renewedAt: NOW - DAY }), MAX_AGE, NOW), { visitorKey: 'k2' });
    assert.deepEqual(guestOf(stored({ visitorKey: 'k3' }, { expires: null }), MAX_AGE, NOW), { visitorKey: 'k3' }, 'a browser-session cookie is never renewed');
  });

  test('is the chain\'s: signed in, anything this app does not write, or a renewal due', () => {
    assert.equal(guestOf(stored({ visitorKey: 'k', userId: 7 }), MAX_AGE, NOW), null);
    assert.equal(guestOf(stored({ visitorKey: 'k', flash: { type: 'success' } }), MAX_AGE, NOW), null);
    assert.equal(guestOf(stored({ visitorKey: 42 }), MAX_AGE, NOW), null);
    assert.equal(guestOf(stored({ visitorKey: 'k' }, { expires: Date.now() }), MAX_AGE, NOW), null, 'an expiry that is not a date string');
    assert.equal(guestOf(stored({ visitorKey: 'k' }, { maxAge: 1000 }), MAX_AGE, NOW), null);
    assert.equal(guestOf(stored({ visitorKey: 'k' }, { expires: new Date(NOW + DAY).toISOString() }), MAX_AGE, NOW), null, 'renewal due');
    assert.equal(guestOf(stored({ visitorKey: 'k' }, { expires: 'garbage' }), MAX_AGE, NOW), null, 'an unreadable expiry counts as due');
  });
});
