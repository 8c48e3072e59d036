import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { User } from '../../models';
import { Shopper, signedInShopper, startTestApp, type TestApp } from '../helpers';

// Small limits so the tests stay quick: 3 failures per account from one address (so 30 from all
// addresses together), 10 per address, 10 sign-ups per address per hour. Each test speaks from its
// own client address, which the app reads from X-Forwarded-For because the proxy (the test) is local.
let app: TestApp;
before(async () => {
  app = await startTestApp({ AUTH_MAX_FAILURES_PER_ACCOUNT: '3', AUTH_MAX_FAILURES_PER_ADDRESS: '10', AUTH_MAX_SIGNUPS_PER_ADDRESS: '10' });
});
after(async () => app.close());

const PASSWORD = 'correct-horse-battery';

/** One sign-in attempt from `address`, in a fresh browser; resolves to the status code. */
async function attempt(address: string, email: string, password: string): Promise<number> {
  const browser = new Shopper(app.app);
  const body = new URLSearchParams({ _csrf: await browser.csrf(), email, password }).toString();
  const res = await browser.agent.post('/login').set('X-Forwarded-For', address).type('form').send(body);
  return res.status;
}

describe('sign-in limits', () => {
  test('three failures lock an account from that address only: a stranger cannot lock the owner out', async () => {
    const { email } = await signedInShopper(app);
    for (let i = 0; i < 3; i += 1) assert.equal(await attempt('203.0.113.1', email, `wrong-${i}-password`), 401);
    const browser = new Shopper(app.app);
    const body = new URLSearchParams({ _csrf: await browser.csrf(), email, password: PASSWORD }).toString();
    const locked = await browser.agent.post('/login').set('X-Forwarded-For', '203.0.113.1').type('form').send(body).expect(429);
    assert.match(locked.text, /Too many failed sign-in attempts\. Please wait 15 minutes and try again\./);
    assert.ok(Number(locked.headers['retry-after']) > 800);
    assert.equal(await attempt('198.51.100.7', email, PASSWORD), 303, 'the owner, elsewhere, still gets in');
  });

  test('a success gives its attempt back and clears that account’s failures', async () => {
    const { email } = await signedInShopper(app);
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 2; i += 1) assert.equal(await attempt('203.0.113.2', email, 'wrong-password-x'), 401);
      assert.equal(await attempt('203.0.113.2', email, PASSWORD), 303);
    }
  });

  test('one account guessed at from many addresses is stopped too', async () => {
    const { email } = await signedInShopper(app);
    for (let a = 1; a <= 10; a += 1) {
      for (let i = 0; i < 3; i += 1) assert.equal(await attempt(`192.0.2.${a}`, email, 'guess-password'), 401);
    }
    assert.equal(await attempt('192.0.2.200', email, 'guess-password'), 429);
  });

  test('one address spraying many accounts is stopped after 10 failures', async () => {
    for (let i = 0; i < 10; i += 1) assert.equal(await attempt('203.0.113.3', `spray${i}@example.com`, 'guess-password'), 401);
    assert.equal(await attempt('203.0.113.3', 'spray-next@example.com', 'guess-password'), 429);
    assert.equal(await attempt('203.0.113.4', 'spray-next@example.com', 'guess-password'), 401, 'other addresses are not affected');
  });

  test('guesses sent all at once are counted before any password is checked', async () => {
    const { email } = await signedInShopper(app);
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt('203.0.113.5', email, `parallel-${i}-guess`)));
    assert.equal(statuses.filter((s) => s === 401).length, 3, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 9);
  });
});

describe('sign-up limits', () => {
  test('sign-ups from one address are limited per hour', async () => {
    const signUp = async (address: string, email: string) => {
      const browser = new Shopper(app.app);
      const body = new URLSearchParams({ _csrf: await browser.csrf(), name: 'Bot', email, password: PASSWORD }).toString();
      return browser.agent.post('/register').set('X-Forwarded-For', address).type('form').send(body);
    };
    for (let i = 0; i < 10; i += 1) assert.equal((await signUp('203.0.113.9', `bot${i}@example.com`)).status, 303);
    const refused = await signUp('203.0.113.9', 'bot-extra@example.com');
    assert.equal(refused.status, 429);
    assert.match(refused.text, /Too many new accounts from your network/);
    assert.equal(await User.count({ where: { email: 'bot-extra@example.com' } }), 0);
    assert.equal((await signUp('203.0.113.10', 'bot-extra@example.com')).status, 303);
  });
});
