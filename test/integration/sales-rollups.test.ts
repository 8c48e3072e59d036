import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { Book } from '../../models';
import { rebuildSalesRollups } from '../../services/sales-rollups';
import { Shopper, signedInAdmin, startTestApp, type TestApp } from '../helpers';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const idOf = async (title: string) => (await Book.findOne({ where: { title } }))!.id;

/** Everything the rollups hold, in a stable order and as plain numbers. */
async function snapshot() {
  const days = await t.db.sequelize.query<{ day: string; status: string; orders: number | string; revenue: number | string }>(
    'SELECT day, status, orders, revenue FROM DailySales WHERE orders <> 0 ORDER BY day, status',
    { type: QueryTypes.SELECT },
  );
  const books = await Book.findAll({ where: {}, attributes: ['id', 'copiesSold', 'salesRevenue'], order: [['id', 'ASC']] });
  return {
    days: days.map((d) => ({ day: d.day, status: d.status, orders: Number(d.orders), revenue: Number(d.revenue).toFixed(2) })),
    books: books.filter((b) => b.copiesSold !== 0 || Number(b.salesRevenue) !== 0)
      .map((b) => ({ id: b.id, copies: b.copiesSold, revenue: Number(b.salesRevenue).toFixed(2) })),
  };
}

async function order(lines: Array<[string, number]>): Promise<number> {
  const shopper = new Shopper(t.app);
  for (const [title, quantity] of lines) await shopper.add(await idOf(title), quantity).expect(303);
  const res = await shopper.checkout().expect(303);
  return Number(/(\d+)$/.exec(res.headers.location)![1]);
}

test('checkout, shipping and cancelling keep the rollups equal to a recount from the orders', async () => {
  const admin = await signedInAdmin(t);
  const first = await order([['Dune', 2], ['The Hobbit', 1]]);
  const second = await order([['Dune', 1]]);
  const third = await order([['Twilight', 3]]);
  // A price change after the sale must not change what the sale brought in.
  await Book.update({ price: '1.00' }, { where: { title: 'Dune' } });
  await admin.post(`/admin/orders/${first}/status`, { status: 'shipped' }).expect(303);
  await admin.post(`/admin/orders/${second}/status`, { status: 'cancelled' }).expect(303);
  await admin.post(`/admin/orders/${first}/status`, { status: 'delivered' }).expect(303);

  const kept = await snapshot();
  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(kept.days.map((d) => [d.day, d.status, d.orders]), [
    [today, 'cancelled', 1],
    [today, 'delivered', 1],
    [today, 'placed', 1],
  ]);
  const dune = await idOf('Dune');
  assert.deepEqual(kept.books.find((b) => b.id === dune), { id: dune, copies: 2, revenue: '99.90' }, 'the copies of the order not cancelled, at the price paid');
  assert.equal(kept.books.length, 3, 'Dune, The Hobbit and Twilight');
  assert.equal(kept.books.find((b) => b.id !== dune && b.copies === 3)?.revenue, '135.00', `Twilight of order ${third}`);

  await rebuildSalesRollups(t.db);
  assert.deepEqual(await snapshot(), kept, 'a recount finds the same numbers');
});

test('a cancellation takes away exactly what the order added', async () => {
  const before = await snapshot();
  const id = await order([['Animal Farm', 1]]);
  const admin = await signedInAdmin(t);
  await admin.post(`/admin/orders/${id}/status`, { status: 'cancelled' }).expect(303);
  const afterCancel = await snapshot();
  assert.deepEqual(afterCancel.books, before.books, 'no book keeps a sale from a cancelled order');
  const cancelled = (s: typeof before) => s.days.find((d) => d.status === 'cancelled')?.orders ?? 0;
  assert.equal(cancelled(afterCancel), cancelled(before) + 1);
});
