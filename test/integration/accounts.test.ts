import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Book, Checkout, User } from '../../models';
import { Shopper, badgeCount, csrfFrom, signedInShopper, startTestApp, type TestApp } from '../helpers';
import { createApp } from '../../app';
import { createLogger } from '../../logger';

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => app.close());

const PASSWORD = 'correct-horse-battery';
let counter = 0;
const freshEmail = () => `reader${++counter}@example.com`;

/** The session id cookie this browser holds now, or undefined. */
function sessionCookie(shopper: Shopper): string | undefined {
  const cookie = shopper.agent.jar.getCookie('epicbook.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false });
  return cookie?.value;
}

async function signedIn(shopper: Shopper): Promise<boolean> {
  const page = await shopper.agent.get('/').expect(200);
  return /Sign out/.test(page.text);
}

describe('sign-up', () => {
  test('creates an account, signs it in, and stores only a salted scrypt hash', async () => {
    const shopper = new Shopper(app.app);
    const email = freshEmail();
    const res = await shopper.signUp({ name: 'Octavia Butler', email: email.toUpperCase(), password: PASSWORD });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/');
    assert.ok(await signedIn(shopper));
    const user = await User.findOne({ where: { email } });
    assert.ok(user, 'email stored lower-cased');
    assert.equal(user.role, 'shopper');
    // Tests hash at a low cost for speed (config.ts); production's cost is checked in test/unit/passwords.test.ts.
    assert.match(user.passwordHash, /^scrypt\$4096\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    assert.ok(!user.passwordHash.includes(PASSWORD));
    const other = await signedInShopper(app);
    const otherUser = await User.findOne({ where: { email: other.email } });
    assert.notEqual(otherUser!.passwordHash.split('$')[4], user.passwordHash.split('$')[4], 'each hash has its own salt');
  });

  test('bad input is reported per field, keeps name and email, and never echoes the password', async () => {
    const shopper = new Shopper(app.app);
    const res = await shopper.post('/register', { name: '  ', email: 'not-an-email', password: 'short-pw' }).expect(422);
    assert.match(res.text, /Enter your name/);
    assert.match(res.text, /Enter an email address like name@example.com/);
    assert.match(res.text, /Use at least 10 characters/);
    assert.match(res.text, /value="not-an-email"/);
    assert.doesNotMatch(res.text, /short-pw/);
    await shopper.post('/register', { name: 'A', email: 'a@example.com', password: ' '.repeat(12) }).expect(422);
    await shopper.post('/register', { name: 'A', email: 'a@example.com', password: 'x'.repeat(201) }).expect(422);
    await shopper.post('/register', {}).expect(422);
    assert.equal(await User.count({ where: { email: 'a@example.com' } }), 0);
  });

  test('an email that is taken (in any case) is a conflict, not a second account', async () => {
    const { email } = await signedInShopper(app);
    const res = await new Shopper(app.app).post('/register', { name: 'Copycat', email: email.toUpperCase(), password: PASSWORD }).expect(409);
    assert.match(res.text, /already exists/);
    assert.equal(await User.count({ where: { email } }), 1);
  });

  test('needs the CSRF token', async () => {
    await request(app.app).post('/register').type('form').send({ name: 'X', email: freshEmail(), password: PASSWORD }).expect(403);
  });
});

describe('sign-in and sign-out', () => {
  test('a wrong password and an unknown email get the same message', async () => {
    const { email } = await signedInShopper(app);
    const wrong = await new Shopper(app.app).post('/login', { email, password: 'wrong-password-1' }).expect(401);
    const unknown = await new Shopper(app.app).post('/login', { email: 'nobody@example.com', password: 'wrong-password-1' }).expect(401);
    const message = /That email and password do not match an account\./;
    assert.match(wrong.text, message);
    assert.match(unknown.text, message);
    assert.match(wrong.text, new RegExp(`value="${email}"`));
  });

  test('the session id changes at sign-in and at sign-out, and the old one is worth nothing', async () => {
    const { email } = await signedInShopper(app);
    const browser = new Shopper(app.app);
    await browser.add(1).expect(303);
    const before = sessionCookie(browser);
    assert.ok(before, 'adding to the cart started a session');

    const res = await browser.signIn(email, PASSWORD);
    assert.equal(res.status, 303);
    const during = sessionCookie(browser);
    assert.ok(during && during !== before, 'a new session id at sign-in');
    assert.ok(await signedIn(browser));

    // A copy of the pre-sign-in cookie (what an attacker who planted it would hold) is not signed in.
    const planted = await request(app.app).get('/account/orders').set('Cookie', `epicbook.sid=${before}`);
    assert.equal(planted.status, 303);
    assert.match(planted.headers.location, /^\/login/);

    const sessionsBefore = await app.db.sql().one<{ n: number }>('SELECT COUNT(*) AS n FROM Sessions');
    await browser.signOut();
    // Sign-out ends the session: its row is deleted and the cookie cleared, so the browser is an
    // anonymous visitor again (a new session id comes with the next thing that needs one).
    assert.equal(sessionCookie(browser), undefined, 'no session cookie after sign-out');
    const sessionsAfter = await app.db.sql().one<{ n: number }>('SELECT COUNT(*) AS n FROM Sessions');
    assert.equal(Number(sessionsAfter!.n), Number(sessionsBefore!.n) - 1, 'the signed-in session\'s row is deleted');
    assert.equal(await signedIn(browser), false);
    await browser.add(1).expect(303);
    const next = sessionCookie(browser);
    assert.ok(next && next !== during && next !== before, 'a new session id when the guest needs one again');
    const stale = await request(app.app).get('/account/orders').set('Cookie', `epicbook.sid=${during}`);
    assert.equal(stale.status, 303, 'the signed-in session is gone after sign-out');
  });

  test('a CSRF token from before sign-in stops working after it', async () => {
    const { email } = await signedInShopper(app);
    const browser = new Shopper(app.app);
    const oldToken = await browser.csrf();
    await browser.signIn(email, PASSWORD);
    const body = new URLSearchParams({ _csrf: oldToken, bookId: '1' }).toString();
    await browser.agent.post('/cart/items').type('form').send(body).expect(403);
    await browser.add(1).expect(303);
  });

  test('returns to the page that asked for sign-in, but only on this site', async () => {
    const { email } = await signedInShopper(app);
    const gate = await request(app.app).get('/account/orders').expect(303);
    assert.equal(gate.headers.location, '/login?next=%2Faccount%2Forders');
    const form = await new Shopper(app.app).agent.get('/login?next=%2Faccount%2Forders').expect(200);
    assert.match(form.text, /name="next" value="\/account\/orders"/);
    const back = await new Shopper(app.app).signIn(email, PASSWORD, { next: '/account/orders' });
    assert.equal(back.headers.location, '/account/orders');
    const offsite = await new Shopper(app.app).signIn(email, PASSWORD, { next: '//evil.example/phish' });
    assert.equal(offsite.headers.location, '/');
  });

  test('sign-out needs the CSRF token, so another site cannot sign a shopper out', async () => {
    const { shopper } = await signedInShopper(app);
    await shopper.agent.post('/logout').type('form').send('').expect(403);
    assert.ok(await signedIn(shopper));
  });
});

describe('the signed-in account, read on every request', () => {
  test('a promotion, a demotion or a removal counts from the next request, on every worker', async () => {
    const { shopper, email } = await signedInShopper(app, 'Changing Role');
    const otherWorker = createApp({ config: app.config, db: app.db, logger: createLogger(app.config) });
    const cookies = () => shopper.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).toValueString();
    const onOther = (path: string) => request(otherWorker).get(path).set('Cookie', cookies());
    await shopper.agent.get('/admin').expect(403);
    await app.db.sql().run("UPDATE Users SET role = 'admin' WHERE email = ?", [email]);
    await shopper.agent.get('/admin').expect(200);
    await onOther('/admin').expect(200);
    await app.db.sql().run("UPDATE Users SET role = 'shopper' WHERE email = ?", [email]);
    await shopper.agent.get('/admin').expect(403);
    await onOther('/admin').expect(403);
    await app.db.sql().run('DELETE FROM Users WHERE email = ?', [email]);
    const home = await onOther('/').expect(200);
    assert.doesNotMatch(home.text, /Sign out/, 'a removed account is a guest');
    assert.equal(await signedIn(shopper), false);
  });
});

describe('the cart at sign-in', () => {
  test('signing in over another account leaves that account’s cart with it', async () => {
    const a = await signedInShopper(app, 'Account A');
    const b = await signedInShopper(app, 'Account B');
    await b.shopper.signOut();
    await a.shopper.add(1, 2).expect(303);
    await a.shopper.signIn(b.email, PASSWORD);
    assert.equal(badgeCount((await a.shopper.agent.get('/').expect(200)).text), 0, 'B’s own cart, which is empty');
    const aAgain = new Shopper(app.app);
    await aAgain.signIn(a.email, PASSWORD);
    assert.equal(badgeCount((await aAgain.agent.get('/').expect(200)).text), 2, 'A’s cart stayed with A');
  });

  test('a guest’s order joins the account they then sign up for, when it was shipped to that email', async () => {
    const guest = new Shopper(app.app);
    const email = freshEmail();
    await guest.add(4).expect(303);
    // Typed with capitals at checkout; the account's email is stored lower-cased.
    const placed = await guest.checkout({ email: email.toUpperCase() }).expect(303);
    const res = await guest.signUp({ name: 'Late Joiner', email, password: PASSWORD });
    assert.equal(res.status, 303);
    await guest.agent.get(placed.headers.location).expect(200);
    const history = await guest.agent.get('/account/orders').expect(200);
    assert.match(history.text, new RegExp(`href="${placed.headers.location}"`));
  });

  test('on a shared computer, the previous guest’s order does not join the next account', async () => {
    const computer = new Shopper(app.app);
    await computer.add(4).expect(303);
    const placed = await computer.checkout({ email: 'first.guest@example.com', fullName: 'First Guest' }).expect(303);
    const orderId = Number(placed.headers.location.split('/').pop());
    const next = await signedInShopper(app, 'Next Person');
    await next.shopper.signOut();
    await computer.signIn(next.email, PASSWORD);
    const history = await computer.agent.get('/account/orders').expect(200);
    assert.doesNotMatch(history.text, /EB-\d{6}/, 'no order in the history');
    const page = await computer.agent.get(placed.headers.location).expect(404);
    assert.doesNotMatch(page.text, /First Guest/, 'nor the first guest’s address');
    assert.equal((await Checkout.findByPk(orderId))!.UserId, null, 'the order still belongs to no account');
  });

  test('a guest cart is merged into the account cart: quantities add up', async () => {
    const { shopper, email } = await signedInShopper(app);
    await shopper.add(1, 1).expect(303);
    await shopper.signOut();

    const guest = new Shopper(app.app);
    await guest.add(1, 2).expect(303);
    await guest.add(2, 1).expect(303);
    await guest.signIn(email, PASSWORD);
    const cart = await guest.agent.get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 4);
    assert.match(cart.text, /id="qty-1"[^>]*value="3"/);
    assert.match(cart.text, /id="qty-2"[^>]*value="1"/);
  });

  test('the merge never goes past the stock, and says so', async () => {
    const book = await Book.findByPk(3);
    await book!.update({ inventory: 4 });
    const { shopper, email } = await signedInShopper(app);
    await shopper.add(3, 3).expect(303);
    await shopper.signOut();
    const guest = new Shopper(app.app);
    await guest.add(3, 3).expect(303);
    const res = await guest.signIn(email, PASSWORD);
    assert.equal(res.status, 303);
    const cart = await guest.agent.get('/cart').expect(200);
    assert.match(cart.text, /id="qty-3"[^>]*value="4"/);
    assert.match(cart.text, /We could not add every copy of “[^”]+” to your cart/);
  });

  test('the cart follows the account to another browser, and stays with it after sign-out', async () => {
    const { shopper, email } = await signedInShopper(app);
    await shopper.add(5, 2).expect(303);
    await shopper.signOut();
    const home = await shopper.agent.get('/').expect(200);
    assert.equal(badgeCount(home.text), 0, 'signed out, this browser is a guest with an empty cart');
    const laptop = new Shopper(app.app);
    await laptop.signIn(email, PASSWORD);
    assert.equal(badgeCount((await laptop.agent.get('/').expect(200)).text), 2);
  });
});

describe('order history', () => {
  test('orders placed while signed in belong to the account, newest first, and only its owner sees them', async () => {
    const owner = await signedInShopper(app, 'Ursula Le Guin');
    await owner.shopper.add(6, 1).expect(303);
    const first = await owner.shopper.checkout().expect(303);
    await owner.shopper.add(7, 2).expect(303);
    const second = await owner.shopper.checkout().expect(303);
    const firstId = Number(first.headers.location.split('/').pop());
    const secondId = Number(second.headers.location.split('/').pop());
    const user = await User.findOne({ where: { email: owner.email } });
    assert.equal((await Checkout.findByPk(firstId))!.UserId, user!.id);

    const history = await owner.shopper.agent.get('/account/orders').expect(200);
    const numbers = [...history.text.matchAll(/EB-\d{6}/g)].map((m) => m[0]);
    assert.deepEqual(numbers, [`EB-${String(secondId).padStart(6, '0')}`, `EB-${String(firstId).padStart(6, '0')}`]);

    // From another browser, signed in to the same account: the history and the order page.
    const phone = new Shopper(app.app);
    await phone.signIn(owner.email, PASSWORD);
    await phone.agent.get(`/orders/${firstId}`).expect(200);
    assert.match((await phone.agent.get('/account/orders').expect(200)).text, new RegExp(`/orders/${firstId}`));

    // Nobody else: another account, a guest, or the owner's browser after signing out.
    const stranger = await signedInShopper(app);
    await stranger.shopper.agent.get(`/orders/${firstId}`).expect(404);
    assert.doesNotMatch((await stranger.shopper.agent.get('/account/orders').expect(200)).text, /EB-\d{6}/);
    await request(app.app).get(`/orders/${firstId}`).expect(404);
    await phone.signOut();
    await phone.agent.get(`/orders/${firstId}`).expect(404);
  });

  test('a guest can still check out, and that order belongs to no account', async () => {
    const guest = new Shopper(app.app);
    await guest.add(8).expect(303);
    const placed = await guest.checkout().expect(303);
    const order = await Checkout.findByPk(Number(placed.headers.location.split('/').pop()));
    assert.equal(order!.UserId, null);
    await guest.agent.get(placed.headers.location).expect(200);
  });

  test('the checkout form starts with the account’s name and email', async () => {
    const { shopper, email } = await signedInShopper(app, 'Mary Shelley');
    await shopper.add(9).expect(303);
    const form = await shopper.agent.get('/checkout').expect(200);
    assert.match(form.text, /id="fullName"[^>]*value="Mary Shelley"/);
    assert.match(form.text, new RegExp(`id="email"[^>]*value="${email}"`));
  });

  test('guests are sent to sign in; pages past the end show the last page', async () => {
    await request(app.app).get('/account/orders').expect(303);
    const { shopper } = await signedInShopper(app);
    const res = await shopper.agent.get('/account/orders?page=999').expect(200);
    assert.match(res.text, /You have not placed an order with this account yet/);
  });
});

describe('the account pages', () => {
  test('a shopper refused at the admin gate can still sign out from that page', async () => {
    const { shopper } = await signedInShopper(app);
    const refused = await shopper.agent.get('/admin').expect(403);
    const token = /action="\/logout"[\s\S]*?name="_csrf" value="([^"]+)"/.exec(refused.text)?.[1];
    assert.ok(token, 'the sign-out form on the 403 page carries a token');
    await shopper.agent.post('/logout').type('form').send(new URLSearchParams({ _csrf: token }).toString()).expect(303);
    assert.equal(await signedIn(shopper), false);
  });

  test('the links between the forms keep an encoded return address', async () => {
    const page = await request(app.app).get('/login?next=%2Fsearch%3Fq%3Da%26b').expect(200);
    assert.match(page.text, /href="\/register\?next&#x3D;%2Fsearch%3Fq%3Da%26b"/);
  });

  test('render their forms with a CSRF token and escape what was typed', async () => {
    const page = await request(app.app).get('/register').expect(200);
    assert.ok(csrfFrom(page.text));
    const res = await new Shopper(app.app).post('/register', { name: '<b>bold</b>', email: '"><script>x</script>', password: 'short' }).expect(422);
    assert.doesNotMatch(res.text, /<script>x<\/script>/);
    assert.match(res.text, /&lt;b&gt;bold&lt;\/b&gt;/);
  });
});
