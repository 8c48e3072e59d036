import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { User } from '../../models';
import { Shopper, signedInShopper, startTestApp, type TestApp } from '../helpers';

// The sign-in and sign-up limits at their production defaults. Every browser here comes from
// 127.0.0.1, so the tests below share one address's counters and run in order.
let limited: TestApp;
before(async () => {
  limited = await startTestApp({ AUTH_MAX_SIGNUPS_PER_ADDRESS: '10' });
});
after(async () => limited.close());

const PASSWORD = 'correct-horse-battery';

async function signedIn(shopper: Shopper): Promise<boolean> {
  const page = await shopper.agent.get('/').expect(200);
  return /Sign out/.test(page.text);
}

describe('rate limits', () => {
  test('five failures lock one account for a while, even for the right password, with a clear message', async () => {
    const { email } = await signedInShopper(limited);
    const browser = new Shopper(limited.app);
    for (let i = 0; i < 5; i += 1) await browser.post('/login', { email, password: `wrong-${i}-password` }).expect(401);
    const locked = await browser.post('/login', { email, password: PASSWORD }).expect(429);
    assert.match(locked.text, /Too many failed sign-in attempts\. Please wait 15 minutes and try again\./);
    assert.ok(Number(locked.headers['retry-after']) > 800);
    assert.equal(await signedIn(browser), false);
  });

  test('a success clears the account’s failures', async () => {
    const { email } = await signedInShopper(limited);
    const browser = new Shopper(limited.app);
    for (let i = 0; i < 4; i += 1) await browser.post('/login', { email, password: 'wrong-password-x' }).expect(401);
    assert.equal((await browser.signIn(email, PASSWORD)).status, 303);
    await browser.signOut();
    for (let i = 0; i < 4; i += 1) await browser.post('/login', { email, password: 'wrong-password-y' }).expect(401);
    assert.equal((await browser.signIn(email, PASSWORD)).status, 303);
  });

  test('one address spraying many accounts is stopped after 20 failures', async () => {
    const browser = new Shopper(limited.app);
    // 13 failures already came from this address in the tests above.
    for (let i = 0; i < 7; i += 1) await browser.post('/login', { email: `spray${i}@example.com`, password: 'guess-password' }).expect(401);
    const res = await browser.post('/login', { email: 'spray-next@example.com', password: 'guess-password' }).expect(429);
    assert.match(res.text, /Too many failed sign-in attempts/);
  });

  test('sign-ups from one address are limited per hour', async () => {
    // Two sign-ups above already came from this address.
    for (let i = 0; i < 8; i += 1) {
      await new Shopper(limited.app).post('/register', { name: 'Bot', email: `bot${i}@example.com`, password: PASSWORD }).expect(303);
    }
    const res = await new Shopper(limited.app).post('/register', { name: 'Bot', email: 'bot-extra@example.com', password: PASSWORD }).expect(429);
    assert.match(res.text, /Too many new accounts from your network/);
    assert.equal(await User.count({ where: { email: 'bot-extra@example.com' } }), 0);
  });
});

