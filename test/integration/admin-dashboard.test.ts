import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { AuditLog, Book, Checkout, User } from '../../models';
import { recordAudit } from '../../services/audit';
import { createAdminDashboardService } from '../../services/admin/dashboard';
import { rebuildSalesRollups } from '../../services/sales-rollups';
import { ADMIN, Shopper, signedInAdmin, signedInShopper, startTestApp, type TestApp } from '../helpers';

let t: TestApp;
let admin: Shopper;
const DAY = 24 * 60 * 60 * 1000;
const idOf = async (title: string) => (await Book.findOne({ where: { title } }))!.id;
const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

before(async () => {
  t = await startTestApp();
  admin = await signedInAdmin(t);
});
after(() => t.close());

/** The HTML of one `<table data-table="name">` on a page. */
function table(html: string, name: string): string {
  const match = new RegExp(`<table data-table="${name}">([\\s\\S]*?)</table>`).exec(html);
  assert.ok(match, `no ${name} table on the page`);
  return match[1];
}

const rowIds = (html: string, attribute: string) => [...html.matchAll(new RegExp(`<tr ${attribute}="([^"]+)"`, 'g'))].map((m) => m[1]);

/** The order count and revenue a dashboard card shows for one period. */
function stat(html: string, period: 'today' | 'week' | 'all'): { orders: number; revenue: string } {
  const match = new RegExp(`data-period="${period}"[\\s\\S]*?data-stat="orders">(\\d+)<[\\s\\S]*?data-stat="revenue">([^<]+)<`).exec(html);
  assert.ok(match, `no ${period} card on the page`);
  return { orders: Number(match[1]), revenue: match[2] };
}

/** Places an order as a new guest and returns its id. */
async function placeOrder(lines: Array<[string, number]>): Promise<number> {
  const shopper = new Shopper(t.app);
  for (const [title, quantity] of lines) await shopper.add(await idOf(title), quantity).expect(303);
  const res = await shopper.checkout().expect(303);
  const match = /^\/orders\/(\d+)$/.exec(res.headers.location);
  assert.ok(match, res.headers.location);
  return Number(match[1]);
}

async function placedAt(id: number, createdAt: Date): Promise<void> {
  await Checkout.update({ createdAt }, { where: { id }, silent: true });
  const moved = await Checkout.findByPk(id);
  assert.equal(moved!.createdAt.getTime(), createdAt.getTime(), 'the order was moved in time');
}

describe('who may open the dashboard and the audit log', () => {
  for (const path of ['/admin', '/admin/audit', '/admin/audit?entityType=book&page=2']) {
    test(`${path}: guests sign in first, shoppers are refused, admins see it`, async () => {
      const guest = await request(t.app).get(path).expect(303);
      assert.equal(guest.headers.location, `/login?next=${encodeURIComponent(path)}`);

      const { shopper } = await signedInShopper(t);
      const refused = await shopper.agent.get(path).expect(403);
      assert.doesNotMatch(refused.text, /Audit log<\/h1>|Best sellers/);

      const page = await admin.agent.get(path).expect(200);
      const section = path === '/admin' ? 'Dashboard' : 'Audit log';
      assert.match(page.text, new RegExp(`<a href="[^"]+" aria-current="page">${section}</a>`), 'the admin nav marks this page');
    });
  }
});

describe('the dashboard of a store with no orders', () => {
  test('shows zeros, thirty empty days and no best sellers', async () => {
    const page = await admin.agent.get('/admin').expect(200);
    for (const period of ['today', 'week', 'all'] as const) assert.deepEqual(stat(page.text, period), { orders: 0, revenue: '$0.00' });
    assert.equal((page.text.match(/<rect class="bar"/g) ?? []).length, 30);
    assert.match(page.text, /no revenue on any day/);
    assert.equal(rowIds(table(page.text, 'revenue-by-day'), 'data-date').length, 30);
    assert.match(page.text, /No books sold yet/);
  });
});

describe('the dashboard with a known set of orders', () => {
  const today = startOfUtcDay(new Date());
  let ids: Record<'dune' | 'hobbit' | 'twilight', number>;

  before(async () => {
    ids = { dune: await idOf('Dune'), hobbit: await idOf('The Hobbit'), twilight: await idOf('Twilight') };
    await Book.update({ inventory: 50 }, { where: { id: Object.values(ids) } });

    // Today: Dune × 2 = $99.90, and a cancelled Hobbit × 5 that counts nowhere.
    await placeOrder([['Dune', 2]]);
    const cancelled = await placeOrder([['The Hobbit', 5]]);
    await Checkout.update({ status: 'cancelled' }, { where: { id: cancelled } });
    // Three days ago: Hobbit + Twilight = $80.96.
    await placedAt(await placeOrder([['The Hobbit', 1], ['Twilight', 1]]), new Date(today.getTime() - 3 * DAY + 12 * 3600_000));
    // The first moment of the seven-day window: Dune + Hobbit × 3 = $157.83.
    await placedAt(await placeOrder([['Dune', 1], ['The Hobbit', 3]]), new Date(today.getTime() - 6 * DAY));
    // The last second before it: Twilight = $45.00, in the chart but not in the week.
    await placedAt(await placeOrder([['Twilight', 1]]), new Date(today.getTime() - 6 * DAY - 1000));
    // A hundred days ago: Twilight × 3 = $135.00, all time only.
    await placedAt(await placeOrder([['Twilight', 3]]), new Date(today.getTime() - 100 * DAY));

    // Low stock: two nearly gone, and one gone but removed from the store, which is not listed.
    await Book.update({ inventory: 0 }, { where: { title: 'Animal Farm' } });
    await Book.update({ inventory: 1 }, { where: { title: 'Just Mercy' } });
    await Book.update({ inventory: 0, removedAt: new Date() }, { where: { title: 'Invisible Man' } });
    // The orders were moved in time and cancelled behind the app's back: count them again as an operator would.
    await rebuildSalesRollups(t.db);
  });

  test('counts orders and revenue for today, the last seven days and all time, without the cancelled one', async () => {
    const page = await admin.agent.get('/admin').expect(200);
    assert.match(page.text, new RegExp(`data-today="${isoDay(today)}"`));
    assert.deepEqual(stat(page.text, 'today'), { orders: 1, revenue: '$99.90' });
    assert.deepEqual(stat(page.text, 'week'), { orders: 3, revenue: '$338.69' });
    assert.deepEqual(stat(page.text, 'all'), { orders: 5, revenue: '$518.69' });
    assert.match(page.text, /Cancelled orders are left out/);
  });

  test('charts every one of the last thirty days, with the same numbers in a table', async () => {
    const page = await admin.agent.get('/admin').expect(200);
    const days = table(page.text, 'revenue-by-day');
    const dates = rowIds(days, 'data-date');
    assert.equal(dates.length, 30);
    assert.equal(dates[29], isoDay(today));
    assert.equal(dates[0], isoDay(new Date(today.getTime() - 29 * DAY)));
    const row = (offset: number) => {
      const match = new RegExp(`<tr data-date="${isoDay(new Date(today.getTime() - offset * DAY))}">[\\s\\S]*?<td>(\\d+)</td><td>([^<]+)</td>`).exec(days);
      assert.ok(match, `row for ${offset} days ago`);
      return [Number(match[1]), match[2]];
    };
    assert.deepEqual(row(0), [1, '$99.90']);
    assert.deepEqual(row(1), [0, '$0.00']);
    assert.deepEqual(row(3), [1, '$80.96']);
    assert.deepEqual(row(6), [1, '$157.83']);
    assert.deepEqual(row(7), [1, '$45.00']);

    const svg = /<svg[\s\S]*?<\/svg>/.exec(page.text)![0];
    assert.equal((svg.match(/<rect class="bar"/g) ?? []).length, 30);
    assert.match(svg, /role="img" aria-label="Revenue per day, last 30 days, [^"]+: \$383\.69 in total, highest \$157\.83 on /);
    assert.doesNotMatch(svg, /\sstyle=|<script/, 'nothing the Content-Security-Policy would block');
    assert.match(page.headers['content-security-policy'], /style-src 'self'/);
  });

  test('ranks best sellers by copies sold in orders that were not cancelled', async () => {
    const page = await admin.agent.get('/admin').expect(200);
    const sellers = table(page.text, 'best-sellers');
    assert.deepEqual(rowIds(sellers, 'data-book-id').map(Number), [ids.twilight, ids.hobbit, ids.dune]);
    const figures = [...sellers.matchAll(/<td data-copies>(\d+)<\/td>\s*<td data-revenue>([^<]+)<\/td>/g)].map((m) => [Number(m[1]), m[2]]);
    assert.deepEqual(figures, [[5, '$225.00'], [4, '$143.84'], [3, '$149.85']]);
    assert.match(sellers, new RegExp(`<a href="/admin/books/${ids.twilight}/edit">Twilight</a>`));
  });

  test('lists the ten listed books lowest in stock, fewest first, each linking to its edit page', async () => {
    const page = await admin.agent.get('/admin').expect(200);
    const low = table(page.text, 'low-stock');
    const listed = rowIds(low, 'data-book-id').map(Number);
    assert.equal(listed.length, 10);
    const expectedFirst = ['Animal Farm', 'Just Mercy', 'So You Want to Talk About Race', 'The Catcher in the Rye', 'The Feminine Mystique'];
    assert.deepEqual(listed.slice(0, 5), await Promise.all(expectedFirst.map(idOf)));
    assert.ok(!listed.includes(await idOf('Invisible Man')), 'a removed book is not listed');
    const stock = [...low.matchAll(/<td data-inventory>(\d+)<\/td>/g)].map((m) => Number(m[1]));
    assert.deepEqual(stock.slice(0, 5), [0, 1, 2, 2, 2]);
    assert.ok(stock.every((n, i) => n <= 5 && (i === 0 || n >= stock[i - 1])), `in order: ${stock.join(',')}`);
    for (const id of listed) assert.match(low, new RegExp(`<a href="/admin/books/${id}/edit">`));
  });

  test('moves its day boundaries at midnight UTC', async () => {
    const dashboard = createAdminDashboardService(t.db);
    // Three days on, in the afternoon: the window starts three days ago, and today has no orders.
    const later = await dashboard.overview(new Date(today.getTime() + 3 * DAY + 15 * 3600_000));
    assert.equal(later.today, isoDay(new Date(today.getTime() + 3 * DAY)));
    assert.deepEqual(later.totals.today, { orders: 0, revenueCents: 0 });
    assert.deepEqual(later.totals.lastSevenDays, { orders: 2, revenueCents: 9990 + 8096 });
    assert.deepEqual(later.totals.allTime, { orders: 5, revenueCents: 51869 });
    assert.equal(later.revenueByDay.length, 30);
    assert.deepEqual(later.revenueByDay.slice(-4).map((d) => d.revenueCents), [9990, 0, 0, 0]);
    // Each day's label is its own UTC date as people read it ("Nov 3"), from one shared formatter.
    const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const labelOf = (iso: string) => `${MONTHS[Number(iso.slice(5, 7)) - 1]} ${Number(iso.slice(8, 10))}`;
    assert.deepEqual(later.revenueByDay.map((d) => d.label), later.revenueByDay.map((d) => labelOf(d.isoDate)));
  });
});

describe('the audit log page', () => {
  before(async () => {
    const actor = await User.findOne({ where: { email: ADMIN.email } });
    const who = { id: actor!.id, email: actor!.email };
    await t.db.writeTransaction(async (tr) => {
      for (let i = 1; i <= 55; i += 1) {
        await recordAudit(tr, who, { action: 'book.update', entityType: 'book', entityId: i, summary: `Changed book number ${i}` });
      }
      await recordAudit(tr, who, { action: 'order.cancel', entityType: 'order', entityId: 7, summary: 'Cancelled <script>alert(1)</script> & refunded' });
      await recordAudit(tr, who, { action: 'author.create', entityType: 'author', entityId: 3, summary: 'Added an author' });
    });
  });

  const auditIds = (html: string) => rowIds(table(html, 'audit'), 'data-audit-id').map(Number);

  test('shows 50 entries a page, newest first, with when, who, action and what', async () => {
    const total = await AuditLog.count();
    // 57 written above, and the setup's own entry: the admin account created for these tests.
    assert.equal(total, 58);
    const newest = (await AuditLog.findAll({ order: [['id', 'DESC']] })).map((e) => e.id);

    const first = await admin.agent.get('/admin/audit').expect(200);
    assert.deepEqual(auditIds(first.text), newest.slice(0, 50));
    assert.match(first.text, /58 entries/);
    assert.match(first.text, /<th scope="col">When<\/th><th scope="col">Who<\/th><th scope="col">Action<\/th><th scope="col">What<\/th>/);
    assert.match(first.text, /<time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/);
    assert.match(first.text, new RegExp(`<td>${ADMIN.email}</td>\\s*<td><code>author.create</code></td>\\s*<td>Added an author <a href="/admin/authors/3/edit">`));
    assert.match(first.text, /Cancelled &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; refunded <a href="\/admin\/orders\/7">/);
    assert.doesNotMatch(first.text, /<script>alert/);
    assert.match(first.text, /<a href="\/admin\/audit\?page&#x3D;2" rel="next">/);

    const second = await admin.agent.get('/admin/audit?page=2').expect(200);
    assert.deepEqual(auditIds(second.text), newest.slice(50));
  });

  test('filters by what was changed', async () => {
    const orders = await admin.agent.get('/admin/audit?entityType=order').expect(200);
    assert.equal(auditIds(orders.text).length, 1);
    assert.match(orders.text, /<option value="order" selected>/);
    assert.match(orders.text, /1 entry about orders/);

    const books = await admin.agent.get('/admin/audit?entityType=book&page=2').expect(200);
    assert.equal(auditIds(books.text).length, 5);
    assert.match(books.text, /<a href="\/admin\/audit\?entityType&#x3D;book" rel="prev">/, 'page links keep the filter');

    const users = await admin.agent.get('/admin/audit?entityType=user').expect(200);
    assert.equal(auditIds(users.text).length, 1);
    assert.match(users.text, /Created admin@epicbook\.test as an admin/);
  });

  test('ignores filters and pages it does not know, never failing', async () => {
    for (const query of ['entityType=secrets', 'entityType=BOOK', 'entityType=book&entityType=order', 'entityType[x]=1', 'page=abc', 'page=-3', 'page=1e9']) {
      const res = await admin.agent.get(`/admin/audit?${query}`).expect(200);
      assert.equal(auditIds(res.text).length, 50, query);
      assert.match(res.text, /58 entries/, query);
    }
    const beyond = await admin.agent.get('/admin/audit?page=999').expect(200);
    assert.equal(auditIds(beyond.text).length, 8, 'a page past the end shows the last page');
  });
});
