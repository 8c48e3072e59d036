import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Book, Cart } from '../../models';
import { parseSqlDate, sqlDate } from '../../db/sql';
import { startTestApp, type TestApp } from '../helpers';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

test('SELECTs return plain rows; one() gives the first or undefined; parameters are bound, not spliced', async () => {
  const sql = t.db.sql();
  const rows = await sql.all<{ id: number; title: string }>('SELECT id, title FROM Books WHERE title IN (?, ?) ORDER BY title', ['Dune', 'The Hobbit']);
  assert.deepEqual(rows.map((r) => r.title), ['Dune', 'The Hobbit']);
  assert.equal(typeof rows[0].id, 'number');
  assert.equal((await sql.one<{ title: string }>('SELECT title FROM Books WHERE id = ?', [rows[0].id]))?.title, 'Dune');
  assert.equal(await sql.one('SELECT id FROM Books WHERE title = ?', ["x' OR '1'='1"]), undefined);
});

test('writes report the rows they changed and the id they created, and read back through the models', async () => {
  const sql = t.db.sql();
  const now = new Date('2026-03-04T05:06:07.890Z');
  const created = await sql.run(
    'INSERT INTO Carts (ownerKey, status, totalQuantity, totalPrice, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)',
    ['sql-test-owner', 'open', 2, '19.98', now, now],
  );
  assert.equal(created.changes, 1);
  const cart = await Cart.findByPk(created.lastId);
  assert.ok(cart, 'the id of the inserted row');
  assert.equal(cart.ownerKey, 'sql-test-owner');
  assert.equal(Number(cart.totalPrice), 19.98);
  // MySQL's DATETIME keeps whole seconds.
  assert.equal(Math.floor(cart.createdAt.getTime() / 1000), Math.floor(now.getTime() / 1000));

  const updated = await sql.run('UPDATE Carts SET totalQuantity = totalQuantity + 1 WHERE ownerKey = ?', ['sql-test-owner']);
  assert.equal(updated.changes, 1);
  const none = await sql.run('UPDATE Carts SET totalQuantity = 0 WHERE ownerKey = ?', ['nobody']);
  assert.equal(none.changes, 0);
  const stored = await sql.one<{ createdAt: unknown }>('SELECT createdAt FROM Carts WHERE id = ?', [created.lastId]);
  assert.equal(Math.floor(parseSqlDate(stored!.createdAt).getTime() / 1000), Math.floor(now.getTime() / 1000));
});

test('inside a write transaction statements see its own writes and roll back with it', async () => {
  const dune = (await Book.findOne({ where: { title: 'Dune' } }))!;
  await assert.rejects(
    t.db.writeTransaction(async (transaction) => {
      const sql = t.db.sql(transaction);
      await sql.run('UPDATE Books SET inventory = inventory + 100 WHERE id = ?', [dune.id]);
      const row = await sql.one<{ inventory: number }>('SELECT inventory FROM Books WHERE id = ?', [dune.id]);
      assert.equal(row!.inventory, dune.inventory + 100);
      throw new Error('give up');
    }),
    /give up/,
  );
  await dune.reload();
  const after = await t.db.sql().one<{ inventory: number }>('SELECT inventory FROM Books WHERE id = ?', [dune.id]);
  assert.equal(after!.inventory, dune.inventory, 'nothing of the rolled-back transaction stays');
});

test('a statement error rejects with the driver error and leaves the runner usable', async () => {
  const sql = t.db.sql();
  await assert.rejects(sql.all('SELECT nope FROM Books'));
  assert.equal((await sql.all('SELECT id FROM Books WHERE id = ?', [-1])).length, 0);
});

test('sqlDate writes what Sequelize writes, and parseSqlDate reads both drivers\' forms', () => {
  const date = new Date('2026-11-21T20:31:31.958Z');
  assert.equal(sqlDate(date, 'sqlite'), '2026-11-21 20:31:31.958 +00:00');
  assert.equal(sqlDate(date, 'mysql'), '2026-11-21 20:31:31.958');
  assert.equal(parseSqlDate('2026-11-21 20:31:31.958 +00:00').getTime(), date.getTime());
  assert.equal(parseSqlDate('2026-11-21 20:31:31.958').getTime(), date.getTime());
  assert.equal(parseSqlDate(date), date);
  assert.throws(() => parseSqlDate('yesterday'), TypeError);
  assert.throws(() => parseSqlDate(42), TypeError);
});
