import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { QueryTypes, Sequelize } from 'sequelize';
import { loadConfig, projectRoot } from '../../config';
import { generateCatalog } from '../../db/generate/catalog';
import { rebuildSalesRollups } from '../../services/sales-rollups';
import { createTestDatabase, startTestApp, type TestApp } from '../helpers';

let t: TestApp;
before(async () => {
  t = await startTestApp();
  await generateCatalog(t.db, { books: 600, orders: 900, authors: 120, seed: 11 });
});
after(() => t.close());

const rows = <T extends object>(sql: string) => t.db.sequelize.query<T>(sql, { type: QueryTypes.SELECT });
const one = async (sql: string) => Number(Object.values((await rows<Record<string, unknown>>(sql))[0])[0]);

/** What a generated store holds, read over a plain connection (the app's models stay bound to the test app). */
async function fingerprint(env: Record<string, string>) {
  const config = loadConfig({}, { NODE_ENV: 'test', ...env });
  const sequelize = config.database.dialect === 'sqlite'
    ? new Sequelize({ dialect: 'sqlite', storage: config.database.storage, logging: false })
    : new Sequelize({
      dialect: 'mysql', host: config.database.host, port: config.database.port, username: config.database.user,
      password: config.database.password, database: config.database.database, logging: false,
    });
  try {
    const read = (sql: string) => sequelize.query(sql, { type: QueryTypes.SELECT });
    return {
      books: await read('SELECT id, title, genre, pubYear, ROUND(price, 2) AS price, inventory, AuthorId FROM Books ORDER BY id'),
      lines: await read('SELECT CartId, BookId, quantity, ROUND(unitPrice, 2) AS unitPrice FROM Cartbooks ORDER BY id'),
      orders: await read('SELECT id, status, fullName, ROUND(subTotal, 2) AS subTotal FROM Checkouts ORDER BY id'),
    };
  } finally {
    await sequelize.close();
  }
}

function seed(env: Record<string, string>, args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db-seed.ts', ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('adds the books, authors and orders asked for, on top of the bundled catalog', async () => {
  assert.equal(await one('SELECT COUNT(*) FROM Books'), 54 + 600);
  assert.equal(await one('SELECT COUNT(*) FROM Authors'), 53 + 120);
  assert.equal(await one('SELECT COUNT(*) FROM Checkouts'), 900);
  assert.equal(await one("SELECT COUNT(*) FROM Carts WHERE status <> 'ordered'"), 0, 'every generated cart was ordered');
});

test('the catalog looks like a shop: uneven genres, some sold out, a few hidden', async () => {
  const genres = await rows<{ genre: string; n: number | string }>('SELECT genre, COUNT(*) AS n FROM Books GROUP BY genre ORDER BY COUNT(*) DESC');
  assert.ok(genres.length >= 10, `${genres.length} genres`);
  assert.ok(Number(genres[0].n) > 3 * Number(genres[genres.length - 1].n), 'the largest genre is far larger than the smallest');
  assert.ok(await one('SELECT COUNT(*) FROM Books WHERE inventory = 0') > 10);
  assert.ok(await one('SELECT COUNT(*) FROM Books WHERE removedAt IS NOT NULL') > 0);
  assert.equal(await one('SELECT COUNT(*) FROM Books b LEFT JOIN Authors a ON a.id = b.AuthorId WHERE a.id IS NULL'), 0);
  // The full-text author name is the book's own author's, so generated books are found by author.
  const names = await rows<{ authorName: string | null; firstName: string; lastName: string }>(
    'SELECT b.authorName, a.firstName, a.lastName FROM Books b JOIN Authors a ON a.id = b.AuthorId',
  );
  assert.deepEqual(names.filter((b) => b.authorName !== `${b.firstName} ${b.lastName}`), []);
});

test('every order has 1–4 lines, its total is the sum of its lines at their frozen prices, and spans about two years', async () => {
  const bad = await rows<{ id: number }>(`
    SELECT o.id FROM Checkouts o JOIN Carts c ON c.id = o.CartId JOIN Cartbooks cb ON cb.CartId = c.id
    GROUP BY o.id, o.subTotal, c.totalPrice, c.totalQuantity
    HAVING COUNT(*) < 1 OR COUNT(*) > 4 OR ABS(SUM(cb.quantity * cb.unitPrice) - o.subTotal) > 0.001
      OR ABS(c.totalPrice - o.subTotal) > 0.001 OR SUM(cb.quantity) <> c.totalQuantity`);
  assert.deepEqual(bad, []);
  assert.equal(await one('SELECT COUNT(*) FROM Checkouts o LEFT JOIN Cartbooks cb ON cb.CartId = o.CartId WHERE cb.id IS NULL'), 0);
  const statuses = (await rows<{ status: string }>('SELECT DISTINCT status FROM Checkouts ORDER BY status')).map((r) => r.status);
  assert.deepEqual(statuses, ['cancelled', 'delivered', 'placed', 'shipped']);
  const [span] = await rows<{ first: string | Date; last: string | Date }>('SELECT MIN(createdAt) AS first, MAX(createdAt) AS last FROM Checkouts');
  const days = (new Date(span.last).getTime() - new Date(span.first).getTime()) / 86_400_000;
  assert.ok(days > 600 && days <= 731, `${days} days of orders`);
  assert.ok(await one('SELECT COUNT(*) FROM Checkouts WHERE UserId IS NOT NULL') > 100, 'some orders are by accounts');
});

test('fills the sales rollups exactly as a recount does', async () => {
  const snapshot = async () => ({
    days: await rows('SELECT day, status, orders, ROUND(revenue, 2) AS revenue FROM DailySales ORDER BY day, status'),
    books: await rows('SELECT id, copiesSold, ROUND(salesRevenue, 2) AS revenue FROM Books WHERE copiesSold > 0 ORDER BY id'),
  });
  const generated = await snapshot();
  assert.equal(await one('SELECT SUM(orders) FROM DailySales'), 900);
  await rebuildSalesRollups(t.db);
  assert.deepEqual(await snapshot(), generated);
});

test('npm run db:seed generates the same store for the same seed, with a progress bar on stderr, and refuses bad options', async () => {
  const first = await createTestDatabase();
  const second = await createTestDatabase();
  try {
    const run = seed(first.env, ['--books', '150', '--orders', '120', '--seed', '5']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Generated 150 books by 30 authors, \d+ accounts and 120 orders \(\d+ lines\) in [\d.]+ s \(seed 5\)\./);
    assert.match(run.stderr, /Orders\s+\[[^\]]*\] 100% \| 120\/120/);
    assert.equal(seed(second.env, ['--books', '150', '--orders', '120', '--seed', '5']).status, 0);
    assert.deepEqual(await fingerprint(first.env), await fingerprint(second.env), 'the same seed made the same store');

    const again = seed(first.env, ['--books', '10']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already has 204 books .*generate into a new database/);

    for (const args of [['--books', '-5'], ['--books', 'many'], ['--orders', '1.5'], ['--authors', '0', '--books', '5'], ['--colour', 'red']]) {
      const refused = seed(first.env, args);
      assert.equal(refused.status, 2, `${args.join(' ')}: ${refused.stderr}`);
      assert.match(refused.stderr, /db:seed: /);
    }
  } finally {
    await first.drop();
    await second.drop();
  }
});
