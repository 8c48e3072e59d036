import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { AuditLog, Book, Checkout } from '../../models';
import { rebuildSalesRollups } from '../../services/sales-rollups';
import { ADMIN, Shopper, signedInAdmin, signedInShopper, startTestApp, type TestApp } from '../helpers';

let t: TestApp;
let admin: Shopper;

const idOf = async (title: string) => (await Book.findOne({ where: { title } }))!.id;
const stockOf = async (id: number) => (await Book.findByPk(id))!.inventory;
const statusOf = async (id: number) => (await Checkout.findByPk(id))!.status;
const statusAudits = (orderId: number) => AuditLog.findAll({ where: { action: 'order.status', entityId: orderId }, order: [['id', 'ASC']] });

/** Puts books in this browser's cart and checks out; resolves to the new order's id. */
async function placeOrder(shopper: Shopper, lines: Array<[string, number]>, shipping: Record<string, string> = {}): Promise<number> {
  for (const [title, quantity] of lines) await shopper.add(await idOf(title), quantity).expect(303);
  const res = await shopper.checkout(shipping).expect(303);
  const match = /^\/orders\/(\d+)$/.exec(res.headers.location);
  assert.ok(match, `checkout redirected to ${res.headers.location}`);
  return Number(match[1]);
}

/** Backdates an order, so it falls on a particular UTC day. */
async function placedAt(orderId: number, iso: string): Promise<void> {
  await Checkout.update({ createdAt: new Date(iso) }, { where: { id: orderId }, silent: true });
  assert.equal((await Checkout.findByPk(orderId))!.createdAt.toISOString(), new Date(iso).toISOString(), 'backdated');
  // Moved behind the app's back, so its day in the sales rollup is counted again.
  await rebuildSalesRollups(t.db);
}

/** The order ids in the list, in page order. */
function listedIds(html: string): number[] {
  return [...html.matchAll(/<tr data-order-id="(\d+)"/g)].map((m) => Number(m[1]));
}

/** A pattern for a URL as Handlebars writes it into an attribute (& and = escaped). */
const linkPattern = (url: string) => url.replace(/&/g, '&amp;').replace(/=/g, '&#x3D;').replace(/[?]/g, '\\?');

const number = (id: number) => `EB-${String(id).padStart(6, '0')}`;

before(async () => {
  t = await startTestApp();
  admin = await signedInAdmin(t);
  // The seed has 8 copies of each; these tests place far more orders than that.
  await Book.update({ inventory: 1000 }, { where: { title: ['Dune', 'The Hobbit', 'Twilight'] } });
});
after(() => t.close());

describe('who may use the order pages', () => {
  test('guests are sent to sign in, shoppers are refused, admins get in', async () => {
    const orderId = await placeOrder(new Shopper(t.app), [['Dune', 1]]);
    const { shopper } = await signedInShopper(t);

    for (const url of ['/admin/orders', `/admin/orders/${orderId}`, '/admin/orders?status=placed']) {
      const guest = await request(t.app).get(url).expect(303);
      assert.equal(guest.headers.location, `/login?next=${encodeURIComponent(url)}`);
      await shopper.agent.get(url).expect(403);
      await admin.agent.get(url).expect(200);
    }

    const guestPost = await new Shopper(t.app).post(`/admin/orders/${orderId}/status`, { status: 'shipped' }).expect(303);
    assert.equal(guestPost.headers.location, '/login');
    await shopper.post(`/admin/orders/${orderId}/status`, { status: 'cancelled' }).expect(403);
    assert.equal(await statusOf(orderId), 'placed', 'nobody but an admin moved it');
    assert.equal((await statusAudits(orderId)).length, 0);

    await admin.post(`/admin/orders/${orderId}/status`, { status: 'shipped' }).expect(303);
    assert.equal(await statusOf(orderId), 'shipped');
  });

  test('a status change without the CSRF token is refused and changes nothing', async () => {
    const orderId = await placeOrder(new Shopper(t.app), [['Dune', 1]]);
    const res = await admin.agent.post(`/admin/orders/${orderId}/status`).type('form').send({ status: 'cancelled' }).expect(403);
    assert.match(res.text, /did not come from our site/);
    const wrong = await admin.agent.post(`/admin/orders/${orderId}/status`).type('form').send({ status: 'cancelled', _csrf: 'forged' });
    assert.equal(wrong.status, 403);
    assert.equal(await statusOf(orderId), 'placed');
    assert.equal((await statusAudits(orderId)).length, 0);
  });
});

describe('the order list', () => {
  test('shows each order with its customer, account, items, total and status, newest first', async () => {
    const { shopper, email } = await signedInShopper(t, 'Katherine Johnson');
    const guestOrder = await placeOrder(new Shopper(t.app), [['The Hobbit', 2], ['Dune', 1]], { fullName: 'Guest <b>Buyer</b>', email: 'guest@example.com' });
    const accountOrder = await placeOrder(shopper, [['Twilight', 3]], { fullName: 'Katherine Johnson', email: 'kj@example.com' });

    const res = await admin.agent.get('/admin/orders').expect(200);
    assert.match(res.text, /aria-current="page"[^>]*>Orders</, 'admin nav marks the section');
    const ids = listedIds(res.text);
    assert.ok(ids.indexOf(accountOrder) >= 0 && ids.indexOf(accountOrder) < ids.indexOf(guestOrder), `newest first: ${ids.join(',')}`);

    const row = (id: number) => new RegExp(`<tr data-order-id="${id}">([\\s\\S]*?)</tr>`).exec(res.text)![1];
    const guestRow = row(guestOrder);
    assert.match(guestRow, new RegExp(`<a href="/admin/orders/${guestOrder}">${number(guestOrder)}</a>`));
    assert.match(guestRow, /Guest &lt;b&gt;Buyer&lt;\/b&gt;<br><small>guest@example.com<\/small>/, 'customer escaped');
    assert.match(guestRow, /<td>Guest<\/td>/);
    assert.match(guestRow, /<td>3<\/td>/, 'item count');
    assert.match(guestRow, /\$121\.87/, 'total: 2 × 35.96 + 49.95');
    assert.match(guestRow, /data-order-status>placed</);

    const accountRow = row(accountOrder);
    assert.match(accountRow, /Katherine Johnson<br><small>kj@example.com<\/small>/);
    assert.match(accountRow, new RegExp(`<td>${email.replace(/[.]/g, '\\.')}</td>`), 'the account that ordered');
    assert.match(accountRow, /\$135\.00/);
    assert.match(accountRow, /<time datetime="\d{4}-\d{2}-\d{2}T[^"]+Z">/);
  });

  test('the filter form is a labelled GET form', async () => {
    const res = await admin.agent.get('/admin/orders').expect(200);
    assert.match(res.text, /<form method="get" action="\/admin\/orders"/);
    for (const [id, name] of [['filter-status', 'status'], ['filter-from', 'from'], ['filter-to', 'to']]) {
      assert.match(res.text, new RegExp(`<label for="${id}">`), id);
      assert.match(res.text, new RegExp(`id="${id}" name="${name}"`), id);
    }
    for (const status of ['all', 'placed', 'shipped', 'delivered', 'cancelled']) assert.match(res.text, new RegExp(`<option value="${status}"`));
  });

  test('filters by status', async () => {
    const shipped = await placeOrder(new Shopper(t.app), [['Dune', 1]]);
    const placed = await placeOrder(new Shopper(t.app), [['Dune', 1]]);
    await admin.post(`/admin/orders/${shipped}/status`, { status: 'shipped' }).expect(303);

    const onlyShipped = await admin.agent.get('/admin/orders?status=shipped').expect(200);
    const ids = listedIds(onlyShipped.text);
    assert.ok(ids.includes(shipped));
    assert.ok(!ids.includes(placed));
    assert.equal(ids.length, await Checkout.count({ where: { status: 'shipped' } }));
    assert.match(onlyShipped.text, /<option value="shipped" selected>/, 'the form shows the filter in use');

    const all = listedIds((await admin.agent.get('/admin/orders?status=all').expect(200)).text);
    assert.ok(all.includes(shipped) && all.includes(placed));
    const none = await admin.agent.get('/admin/orders?status=delivered').expect(200);
    assert.deepEqual(listedIds(none.text), []);
    assert.match(none.text, /No orders match these filters/);
  });

  test('filters by UTC day, both ends included', async () => {
    const shopper = new Shopper(t.app);
    const early = await placeOrder(shopper, [['Dune', 1]]);
    const lastMoment = await placeOrder(shopper, [['Dune', 1]]);
    const nextMidnight = await placeOrder(shopper, [['Dune', 1]]);
    await placedAt(early, '2020-03-01T00:00:00.000Z');
    await placedAt(lastMoment, '2020-03-02T23:59:59.000Z');
    await placedAt(nextMidnight, '2020-03-03T00:00:00.000Z');

    const list = async (query: string) => listedIds((await admin.agent.get(`/admin/orders?${query}`).expect(200)).text);
    assert.deepEqual(await list('from=2020-03-01&to=2020-03-02'), [lastMoment, early]);
    assert.deepEqual(await list('from=2020-03-02&to=2020-03-03'), [nextMidnight, lastMoment]);
    assert.deepEqual(await list('from=2020-03-03&to=2020-03-03'), [nextMidnight]);
    assert.deepEqual(await list('to=2020-03-01'), [early]);
    assert.deepEqual(await list('from=2020-03-01&to=2020-03-03&status=placed'), [nextMidnight, lastMoment, early]);
    assert.deepEqual(await list('from=2020-03-01&to=2020-03-03&status=cancelled'), []);
    const fromOnly = await list('from=2020-03-03');
    assert.ok(fromOnly.includes(nextMidnight) && !fromOnly.includes(lastMoment));

    const page = await admin.agent.get('/admin/orders?from=2020-03-01&to=2020-03-02').expect(200);
    assert.match(page.text, /id="filter-from" name="from" type="date" value="2020-03-01"/, 'dates kept in the form');
    assert.match(page.text, /2 orders match these filters/);
  });

  test('bad filters get a 400 page that says what is wrong and keeps what was typed', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['status=lost', 'filter-status', /Choose a status from the list/],
      ['status=Shipped', 'filter-status', /Choose a status from the list/],
      ['status=placed&status=shipped', 'filter-status', /Choose one status from the list/],
      ['from=yesterday', 'filter-from', /Enter the date as YYYY-MM-DD/],
      ['from=2026-1-5', 'filter-from', /Enter the date as YYYY-MM-DD/],
      ['to=2026-13-01', 'filter-to', /There is no such day on the calendar/],
      ['from=2026-02-30', 'filter-from', /There is no such day on the calendar/],
      ['from=0999-12-31', 'filter-from', /Enter a year from 1000 on/],
      ['from=2026-01-01&from=2026-01-02', 'filter-from', /Enter one date, as YYYY-MM-DD/],
      ['from=2026-03-02&to=2026-03-01', 'filter-to', /The end date must be on or after the start date/],
    ];
    for (const [query, field, message] of cases) {
      const res = await admin.agent.get(`/admin/orders?${query}`);
      assert.equal(res.status, 400, `${query} answered ${res.status}`);
      assert.match(res.text, /These filters cannot be used/, query);
      assert.match(res.text, new RegExp(`id="${field}"[^>]*aria-invalid="true"`), query);
      assert.match(res.text, new RegExp(`id="${field}-error"[^>]*>([^<]+)<`), query);
      const shown = new RegExp(`id="${field}-error"[^>]*>([^<]+)<`).exec(res.text)![1];
      assert.match(shown, message, query);
      assert.deepEqual(listedIds(res.text), [], `${query}: no list on a bad filter`);
    }

    const typed = await admin.agent.get('/admin/orders?from=2026-03-02&to=2026-03-01').expect(400);
    assert.match(typed.text, /value="2026-03-02"/);
    assert.match(typed.text, /value="2026-03-01"/);
    const hostile = await admin.agent.get(`/admin/orders?from=${encodeURIComponent('"><script>x</script>')}`).expect(400);
    assert.doesNotMatch(hostile.text, /<script>x/);
    assert.match(hostile.text, /&quot;&gt;&lt;script&gt;x&lt;\/script&gt;/);
  });

  test('empty filters, unknown parameters and odd page numbers are harmless', async () => {
    for (const query of ['status=&from=&to=', 'from=1000-01-01&to=9999-12-31', 'sort=evil&x=1', 'page=abc', 'page=-3', 'page=999999', 'page=1e9']) {
      const res = await admin.agent.get(`/admin/orders?${query}`);
      assert.equal(res.status, 200, `${query} answered ${res.status}`);
      assert.ok(listedIds(res.text).length > 0, query);
    }
  });

  test('pages hold 25 orders and their links keep the filters', async () => {
    const shopper = new Shopper(t.app);
    const ids: number[] = [];
    for (let i = 0; i < 27; i += 1) {
      const id = await placeOrder(shopper, [['Dune', 1]]);
      // One a minute on one day, so "newest first" has a single right answer.
      await placedAt(id, new Date(Date.UTC(2019, 5, 1, 8, i)).toISOString());
      ids.push(id);
    }
    const newestFirst = [...ids].reverse();

    const first = await admin.agent.get('/admin/orders?from=2019-06-01&to=2019-06-01&status=placed').expect(200);
    assert.deepEqual(listedIds(first.text), newestFirst.slice(0, 25));
    assert.match(first.text, /27 orders match these filters · page 1 of 2/);
    assert.match(first.text, new RegExp(`href="${linkPattern('/admin/orders?status=placed&from=2019-06-01&to=2019-06-01&page=2')}" rel="next"`));

    const second = await admin.agent.get('/admin/orders?status=placed&from=2019-06-01&to=2019-06-01&page=2').expect(200);
    assert.deepEqual(listedIds(second.text), newestFirst.slice(25));
    assert.match(second.text, new RegExp(`href="${linkPattern('/admin/orders?status=placed&from=2019-06-01&to=2019-06-01')}" rel="prev"`));

    const beyond = await admin.agent.get('/admin/orders?from=2019-06-01&to=2019-06-01&page=40').expect(200);
    assert.deepEqual(listedIds(beyond.text), newestFirst.slice(25), 'a page past the end shows the last page');

    const unfiltered = await admin.agent.get('/admin/orders').expect(200);
    assert.equal(listedIds(unfiltered.text).length, 25);
    assert.match(unfiltered.text, new RegExp(`href="${linkPattern('/admin/orders?page=2')}" rel="next"`));
    assert.doesNotMatch(unfiltered.text, /status&#x3D;all/, 'no filter, no filter in the links');
  });
});

describe('one order', () => {
  test('shows the lines at their frozen prices, the subtotal, the customer and the address', async () => {
    const { shopper, email } = await signedInShopper(t, 'Mary Jackson');
    const hobbit = await idOf('The Hobbit');
    const orderId = await placeOrder(shopper, [['The Hobbit', 2], ['Twilight', 1]], { fullName: 'Mary Jackson', email: 'mary@example.com' });
    await Book.update({ price: '99.00' }, { where: { id: hobbit } });
    const res = await admin.agent.get(`/admin/orders/${orderId}`).expect(200);
    await Book.update({ price: '35.96' }, { where: { id: hobbit } });

    assert.match(res.text, new RegExp(`Order <span data-order-number>${number(orderId)}</span>`));
    assert.match(res.text, new RegExp(`<tr data-book-id="${hobbit}"><td><a href="/admin/books/${hobbit}/edit">The Hobbit</a>[\\s\\S]*?<td>2</td><td>\\$35\\.96</td><td>\\$71\\.92</td>`));
    assert.doesNotMatch(res.text, /\$99\.00/, 'the price paid, not today\'s');
    assert.match(res.text, /Subtotal \(3 items\)[\s\S]*\$116\.92/);
    assert.match(res.text, /mailto:mary@example.com/);
    assert.match(res.text, new RegExp(`Account: Mary Jackson \\(${email.replace(/[.]/g, '\\.')}\\)`));
    assert.match(res.text, /12 Analytical Way<br>\s*Apt 3<br>\s*Springfield, IL 62701/);
    assert.match(res.text, /data-order-status>placed</);
    assert.match(res.text, new RegExp(`<form method="post" action="/admin/orders/${orderId}/status"`));
    assert.match(res.text, /<label for="status">/);
    assert.match(res.text, /<option value="shipped">Shipped<\/option>/);
    assert.match(res.text, /<option value="cancelled">Cancelled \(returns 3 copies to stock\)<\/option>/);
    assert.doesNotMatch(res.text, /<option value="delivered">/, 'only moves that are allowed are offered');

    const guestOrder = await placeOrder(new Shopper(t.app), [['Dune', 1]]);
    const guest = await admin.agent.get(`/admin/orders/${guestOrder}`).expect(200);
    assert.match(guest.text, /Guest checkout/);
  });

  test('an unknown or malformed id is a 404', async () => {
    for (const bad of ['abc', '0', '-1', '999999', '1e3', '1.5', '99999999999']) {
      await admin.agent.get(`/admin/orders/${bad}`).expect(404);
      await admin.post(`/admin/orders/${bad}/status`, { status: 'shipped' }).expect(404);
    }
  });
});

describe('moving an order along', () => {
  test('placed → shipped → delivered, each with a flash, an audit entry and nothing else allowed after', async () => {
    const orderId = await placeOrder(new Shopper(t.app), [['Dune', 1]]);
    const shipped = await admin.post(`/admin/orders/${orderId}/status`, { status: 'shipped' }).expect(303);
    assert.equal(shipped.headers.location, `/admin/orders/${orderId}`);
    const page = await admin.agent.get(shipped.headers.location).expect(200);
    assert.match(page.text, new RegExp(`class="flash flash-success" role="status">Order ${number(orderId)} is now shipped\\.`));
    assert.match(page.text, /data-order-status>shipped</);
    assert.match(page.text, /<option value="delivered">Delivered<\/option>/);
    assert.match(page.text, /admin@epicbook\.test: Marked order EB-\d+ shipped \(was placed\)/, 'history on the page');

    await admin.post(`/admin/orders/${orderId}/status`, { status: 'delivered' }).expect(303);
    assert.equal(await statusOf(orderId), 'delivered');

    const audits = await statusAudits(orderId);
    assert.equal(audits.length, 2);
    assert.equal(audits[0].entityType, 'order');
    assert.equal(audits[0].actorEmail, ADMIN.email);
    assert.deepEqual(JSON.parse(audits[0].details!), { from: 'placed', to: 'shipped' });
    assert.deepEqual(JSON.parse(audits[1].details!), { from: 'shipped', to: 'delivered' });

    const done = await admin.agent.get(`/admin/orders/${orderId}`).expect(200);
    assert.match(done.text, /This order is delivered, so its status can no longer change/);
    for (const status of ['placed', 'shipped', 'cancelled', 'delivered']) {
      const res = await admin.post(`/admin/orders/${orderId}/status`, { status }).expect(409);
      assert.match(res.text, /class="notice" role="alert">Order EB-\d+ is (delivered, so its status can no longer change|already delivered)/);
    }
    assert.equal(await statusOf(orderId), 'delivered');
    assert.equal((await statusAudits(orderId)).length, 2, 'refused moves write no audit entry');
  });

  test('moves that skip or go back are refused with 409 on the order page', async () => {
    const orderId = await placeOrder(new Shopper(t.app), [['Dune', 1]]);
    const skip = await admin.post(`/admin/orders/${orderId}/status`, { status: 'delivered' }).expect(409);
    assert.match(skip.text, /is placed, so it cannot be marked delivered\. It can be marked shipped or cancelled\./);
    assert.match(skip.text, /data-order-status>placed</, 'the order page, as it is now');
    const same = await admin.post(`/admin/orders/${orderId}/status`, { status: 'placed' }).expect(409);
    assert.match(same.text, /is already placed/);

    await admin.post(`/admin/orders/${orderId}/status`, { status: 'shipped' }).expect(303);
    const back = await admin.post(`/admin/orders/${orderId}/status`, { status: 'placed' }).expect(409);
    assert.match(back.text, /is shipped, so it cannot be marked placed/);
    const cancelShipped = await admin.post(`/admin/orders/${orderId}/status`, { status: 'cancelled' }).expect(409);
    assert.match(cancelShipped.text, /is shipped, so it cannot be marked cancelled/);
    assert.equal(await statusOf(orderId), 'shipped');
    assert.equal((await statusAudits(orderId)).length, 1);
  });

  test('a value that is not a status at all is a 422 with the field marked', async () => {
    const orderId = await placeOrder(new Shopper(t.app), [['Dune', 1]]);
    for (const status of ['lost', 'SHIPPED', '', undefined]) {
      const res = await admin.post(`/admin/orders/${orderId}/status`, { status }).expect(422);
      assert.match(res.text, /id="status"[^>]*aria-invalid="true"/);
      assert.match(res.text, /id="status-error"[^>]*>Choose the status to move this order to\./);
    }
    const token = await admin.csrf();
    await admin.agent.post(`/admin/orders/${orderId}/status`).type('form').send(`_csrf=${token}&status=shipped&status=cancelled`).expect(422);
    assert.equal(await statusOf(orderId), 'placed');
    assert.equal((await statusAudits(orderId)).length, 0);
  });
});

describe('cancelling', () => {
  test('returns every line to stock once, without touching the books\' updatedAt', async () => {
    const hobbit = await idOf('The Hobbit');
    const twilight = await idOf('Twilight');
    const before = { hobbit: await stockOf(hobbit), twilight: await stockOf(twilight) };
    const stamp = (await Book.findByPk(hobbit))!.updatedAt.getTime();
    const orderId = await placeOrder(new Shopper(t.app), [['The Hobbit', 2], ['Twilight', 3]]);
    assert.equal(await stockOf(hobbit), before.hobbit - 2);
    assert.equal(await stockOf(twilight), before.twilight - 3);

    const res = await admin.post(`/admin/orders/${orderId}/status`, { status: 'cancelled' }).expect(303);
    const page = await admin.agent.get(res.headers.location).expect(200);
    assert.match(page.text, /is cancelled; 5 copies went back to stock\./);
    assert.match(page.text, /This order is cancelled, so its status can no longer change/);
    assert.equal(await statusOf(orderId), 'cancelled');
    assert.equal(await stockOf(hobbit), before.hobbit);
    assert.equal(await stockOf(twilight), before.twilight);
    assert.equal((await Book.findByPk(hobbit))!.updatedAt.getTime(), stamp, 'cover URLs keep their version');

    const again = await admin.post(`/admin/orders/${orderId}/status`, { status: 'cancelled' }).expect(409);
    assert.match(again.text, /is already cancelled/);
    assert.equal(await stockOf(hobbit), before.hobbit, 'a second cancel returns nothing');
    assert.equal(await stockOf(twilight), before.twilight);

    const audits = await statusAudits(orderId);
    assert.equal(audits.length, 1);
    assert.match(audits[0].summary, /Cancelled order EB-\d+ and returned 5 copies to stock/);
    const details = JSON.parse(audits[0].details!);
    assert.equal(details.from, 'placed');
    assert.equal(details.to, 'cancelled');
    assert.deepEqual(
      [...details.returned].sort((a: { bookId: number }, b: { bookId: number }) => a.bookId - b.bookId),
      [{ bookId: hobbit, quantity: 2 }, { bookId: twilight, quantity: 3 }].sort((a, b) => a.bookId - b.bookId),
    );
  });

  test('two admins cancelling at once return the stock exactly once', async () => {
    const second = await signedInAdmin(t);
    const dune = await idOf('Dune');
    const hobbit = await idOf('The Hobbit');
    for (let round = 0; round < 3; round += 1) {
      const duneBefore = await stockOf(dune);
      const hobbitBefore = await stockOf(hobbit);
      const orderId = await placeOrder(new Shopper(t.app), [['Dune', 2], ['The Hobbit', 1]]);
      const results = await Promise.all([
        admin.post(`/admin/orders/${orderId}/status`, { status: 'cancelled' }),
        second.post(`/admin/orders/${orderId}/status`, { status: 'cancelled' }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [303, 409], `round ${round}`);
      assert.equal(await stockOf(dune), duneBefore, `round ${round}`);
      assert.equal(await stockOf(hobbit), hobbitBefore, `round ${round}`);
      assert.equal((await statusAudits(orderId)).length, 1, `round ${round}`);
    }
  });

  test('a cancel and a ship at once: exactly one wins, and stock follows the winner', async () => {
    const second = await signedInAdmin(t);
    const dune = await idOf('Dune');
    const duneBefore = await stockOf(dune);
    const orderId = await placeOrder(new Shopper(t.app), [['Dune', 1]]);
    const [cancel, ship] = await Promise.all([
      admin.post(`/admin/orders/${orderId}/status`, { status: 'cancelled' }),
      second.post(`/admin/orders/${orderId}/status`, { status: 'shipped' }),
    ]);
    assert.deepEqual([cancel.status, ship.status].sort(), [303, 409]);
    const final = await statusOf(orderId);
    assert.equal(final, cancel.status === 303 ? 'cancelled' : 'shipped');
    assert.equal(await stockOf(dune), final === 'cancelled' ? duneBefore : duneBefore - 1);
    assert.equal((await statusAudits(orderId)).length, 1);
  });
});

describe('what the shopper sees', () => {
  test('a shopper sees the new status on their order page once the admin ships it', async () => {
    const { shopper } = await signedInShopper(t, 'Dorothy Vaughan');
    const orderId = await placeOrder(shopper, [['Dune', 1]]);
    const beforeShip = await shopper.agent.get(`/orders/${orderId}`).expect(200);
    assert.match(beforeShip.text, /Your order is placed!/);

    await admin.post(`/admin/orders/${orderId}/status`, { status: 'shipped' }).expect(303);
    const afterShip = await shopper.agent.get(`/orders/${orderId}`).expect(200);
    assert.match(afterShip.text, /data-order-status>shipped</);
    const history = await shopper.agent.get('/account/orders').expect(200);
    assert.match(history.text, new RegExp(`<tr data-order-id="${orderId}">[\\s\\S]*?status-shipped">shipped<`));

    const guest = new Shopper(t.app);
    const guestOrder = await placeOrder(guest, [['Dune', 1]]);
    await admin.post(`/admin/orders/${guestOrder}/status`, { status: 'cancelled' }).expect(303);
    assert.match((await guest.agent.get(`/orders/${guestOrder}`).expect(200)).text, /data-order-status>cancelled</);
  });
});
