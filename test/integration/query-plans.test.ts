/**
 * Every query behind the main pages uses an index. A generated store of a few thousand books and
 * orders (large enough that MySQL's optimizer plans as it would in production, statistics fresh),
 * the pages requested as shoppers and an admin would, the SQL they ran captured from Sequelize's
 * logging, and each SELECT explained: a full scan of a big table, or a sort of a whole one, fails.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { Book, Checkout } from '../../models';
import { generateCatalog } from '../../db/generate/catalog';
import { setStatementHook, sqlDate, type SqlValue } from '../../db/sql';
import { slugify } from '../../lib/slug';
import { Shopper, signedInAdmin, signedInShopper, startTestApp, testDialect, type TestApp } from '../helpers';

const BIG_TABLES = new Set(['Books', 'Authors', 'Checkouts', 'Cartbooks', 'Carts', 'Users']);

let t: TestApp;
const captured = new Map<string, string>();

before(async () => {
  t = await startTestApp();
  await generateCatalog(t.db, { books: 3000, orders: 6000, authors: 600, seed: 7 });
});
after(() => t.close());

/** A db.sql() statement with its `?` parameters written in as literals, so it can be explained (and counted) as it ran. */
function inlined(text: string, params: readonly SqlValue[]): string {
  let next = 0;
  // Placeholders only outside quoted strings: split on quotes, replace in the even (unquoted) parts.
  return text.split(/('(?:[^']|'')*')/).map((part, i) => (i % 2 === 1 ? part : part.replace(/\?/g, () => {
    if (next >= params.length) throw new Error(`more placeholders than parameters in: ${text}`);
    const value = params[next++];
    if (value === null) return 'NULL';
    if (typeof value === 'number') return String(value);
    const textValue = value instanceof Date ? sqlDate(value, testDialect) : String(value);
    return `'${textValue.replace(/'/g, "''")}'`;
  }))).join('');
}

/** Runs `work` with every SELECT it sends (through Sequelize or db.sql()) recorded against the page that sent it. */
async function capturing(label: string, work: () => Promise<unknown>): Promise<void> {
  const options = (t.db.sequelize as unknown as { options: { logging: unknown } }).options;
  const previous = options.logging;
  const record = (sql: string) => {
    if (/^\s*SELECT\b/i.test(sql) && !captured.has(sql)) captured.set(sql, label);
  };
  options.logging = (message: string) => record(message.replace(/^Executing \([^)]*\): /, '').trim());
  setStatementHook((text, params) => record(inlined(text, params).trim()));
  try {
    await work();
  } finally {
    options.logging = previous;
    setStatementHook(null);
  }
}

/** alias → table, from the FROM and JOIN clauses (Sequelize writes `Books` AS `Book`, raw SQL `Cartbooks cb`). */
function aliases(sql: string): Map<string, string> {
  const map = new Map<string, string>();
  const pattern = /\b(?:FROM|JOIN)\s+[`"]?(\w+)[`"]?(?:\s+(?:AS\s+)?[`"]?([\w>-]+)[`"]?)?/gi;
  for (const match of sql.matchAll(pattern)) {
    const [, table, alias] = match;
    map.set(table, table);
    if (alias && !/^(WHERE|INNER|LEFT|RIGHT|ON|GROUP|ORDER|LIMIT|JOIN|FOR|AND)$/i.test(alias)) map.set(alias, table);
  }
  return map;
}

interface Problem { page: string; sql: string; plan: string }

/** A sort is fine over the few rows an index found (one cart's lines, one author's books); not over more. */
const SORTABLE_ROWS = 100;

/**
 * How many rows a sort in this query really takes: the rows its FROM and WHERE select, counted.
 * Not the planner's statistics: those average over every value, and a skewed column (removedAt is
 * NULL for nearly every book, and a distinct time for each hidden one) is exactly where they mislead.
 */
async function rowsToSort(sql: string): Promise<number> {
  const from = sql.search(/\sFROM\s/i);
  const tail = sql.search(/\s(GROUP BY|ORDER BY|LIMIT)\s[\s\S]*$/i);
  if (from < 0) return Infinity;
  const body = sql.slice(from, tail > from ? tail : sql.length).replace(/;\s*$/, '');
  try {
    const [row] = await t.db.sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n ${body}`, { type: QueryTypes.SELECT });
    return Number(row.n);
  } catch {
    return Infinity;
  }
}

async function explainSqlite(sql: string): Promise<{ problem: boolean; plan: string }> {
  const rows = await t.db.sequelize.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, { type: QueryTypes.SELECT });
  const names = aliases(sql);
  const lines = rows.map((r) => r.detail);
  const plan = lines.join(' | ');
  // A bare COUNT(*) of a whole table is answered from its b-tree, as MySQL answers it from its smallest index.
  if (/^SELECT count\(\*\) AS `count` FROM `\w+` AS `\w+`;?$/.test(sql)) return { problem: false, plan };
  const bigLines = lines.filter((line) => {
    const match = /^(?:SCAN|SEARCH) (\S+)/.exec(line);
    return match !== null && BIG_TABLES.has(names.get(match[1]) ?? match[1]);
  });
  const fullScan = bigLines.some((line) => /^SCAN /.test(line) && !/USING (COVERING )?INDEX/.test(line));
  let sortsMany = false;
  if (lines.some((line) => /USE TEMP B-TREE FOR (ORDER|GROUP|DISTINCT)/.test(line)) && bigLines.length > 0) {
    sortsMany = /^SCAN /.test(bigLines[0]) || (await rowsToSort(sql)) > SORTABLE_ROWS;
  }
  return { problem: fullScan || sortsMany, plan };
}

async function explainMysql(sql: string): Promise<{ problem: boolean; plan: string }> {
  const rows = await t.db.sequelize.query<{ table: string | null; type: string | null; key: string | null; rows: number | null; Extra: string | null }>(
    `EXPLAIN ${sql}`,
    { type: QueryTypes.SELECT },
  );
  const names = aliases(sql);
  const big = (table: string | null) => table !== null && BIG_TABLES.has(names.get(table) ?? table);
  const problem = rows.some((row) => big(row.table) && (
    row.type === 'ALL' || (/Using (filesort|temporary)/.test(row.Extra ?? '') && (row.type === 'index' || Number(row.rows) > SORTABLE_ROWS))
  ));
  return { problem, plan: rows.map((r) => `${r.table}:${r.type}:${r.key ?? '-'}:${r.rows}:${r.Extra ?? ''}`).join(' | ') };
}

test('every query behind the main pages uses an index', async () => {
  const shopper = new Shopper(t.app);
  const genres = (await t.db.sequelize.query<{ genre: string; n: number }>(
    'SELECT genre, COUNT(*) AS n FROM Books GROUP BY genre ORDER BY n DESC', { type: QueryTypes.SELECT },
  ));
  const category = `/category/${slugify(genres[0].genre)}`;
  const prolific = (await t.db.sequelize.query<{ AuthorId: number }>(
    'SELECT AuthorId FROM Books GROUP BY AuthorId ORDER BY COUNT(*) DESC LIMIT 1', { type: QueryTypes.SELECT },
  ))[0].AuthorId;
  const book = (await Book.findOne({ where: { AuthorId: prolific, removedAt: null } }))!;
  const inStock = (await Book.findOne({ where: { removedAt: null }, order: [['inventory', 'DESC']] }))!;
  const titleWord = book.title.split(/\s+/).find((w) => /^[A-Za-z]{4,}$/.test(w)) ?? 'garden';
  const authorWords = book.authorName;
  const pages = [
    '/', category, `${category}?page=3`, `${category}?page=99999`, `${category}?sort=price-desc&page=99999`,
    `${category}?sort=year-asc&page=2`, '/books', '/books?page=99999', '/books?sort=price-asc&page=99999',
    '/books?sort=price-desc', '/books?sort=year-desc&page=99999', `/books/${book.id}`, '/gallery?page=99999',
    // Search: a word of a real title, the author's name, a word with a stopword, and a last page.
    `/search?q=${encodeURIComponent(titleWord)}`, `/search?q=${encodeURIComponent(authorWords)}`,
    `/search?q=${encodeURIComponent(`the ${titleWord}`)}`, `/search?q=${encodeURIComponent(titleWord)}&page=99999`,
    // Short words alone: a range of titles.
    `/search?q=${encodeURIComponent(titleWord.slice(0, 2))}`,
    `/api/books?q=${encodeURIComponent(titleWord)}`, '/api/books?page=99999&sort=price-desc', '/api/genres',
  ];
  for (const url of pages) {
    await capturing(`GET ${url}`, async () => {
      const res = await shopper.agent.get(url).redirects(1);
      assert.equal(res.status, 200, url);
    });
  }

  await capturing('add to cart, cart, checkout, order', async () => {
    await shopper.add(inStock.id, 1).expect(303);
    await shopper.agent.get('/cart').expect(200);
    await shopper.agent.get('/checkout').expect(200);
    const placed = await shopper.checkout().expect(303);
    await shopper.agent.get(placed.headers.location).expect(200);
    await shopper.add(inStock.id, 1).expect(303);
  });

  const { shopper: member } = await signedInShopper(t);
  await capturing('account orders', async () => {
    await member.add(inStock.id, 1).expect(303);
    await member.checkout().expect(303);
    await member.agent.get('/account/orders').expect(200);
  });

  const admin = await signedInAdmin(t);
  const order = (await Checkout.findOne({ order: [['id', 'DESC']] }))!;
  const today = new Date().toISOString().slice(0, 10);
  const adminPages = [
    '/admin', '/admin/books', '/admin/books?page=99999', '/admin/books?status=hidden', '/admin/books?status=listed&page=60',
    `/admin/books/${book.id}/edit`, '/admin/books/new', '/admin/orders', '/admin/orders?page=99999',
    '/admin/orders?status=shipped', `/admin/orders?from=2020-01-01&to=${today}&page=50`, `/admin/orders/${order.id}`,
    '/admin/authors', '/admin/authors?page=99999', `/admin/books?q=${encodeURIComponent(titleWord)}`,
    `/admin/authors?q=${encodeURIComponent(authorWords)}`, `/admin/authors?q=${encodeURIComponent(authorWords)}&page=99999`,
    `/admin/authors?q=${encodeURIComponent(authorWords.split(' ').at(-1)!.slice(0, 2))}`,
  ];
  for (const url of adminPages) {
    await capturing(`GET ${url}`, async () => {
      const res = await admin.agent.get(url);
      assert.equal(res.status, 200, url);
    });
  }
  await capturing('admin ships and cancels an order', async () => {
    await admin.post(`/admin/orders/${order.id}/status`, { status: 'cancelled' }).expect(303);
  });

  assert.ok(captured.size > 30, `captured ${captured.size} queries`);
  // The cart page's and checkout's statements run through db.sql(), not Sequelize: they must be here too.
  const plain = [...captured.keys()];
  assert.ok(plain.some((sql) => /FROM Cartbooks cb INNER JOIN Books b/.test(sql)), 'the cart statement was captured');
  assert.ok(plain.some((sql) => /FROM Books WHERE id IN \(/.test(sql)), 'checkout\'s book lock was captured');
  const problems: Problem[] = [];
  for (const [sql, page] of captured) {
    const { problem, plan } = testDialect === 'mysql' ? await explainMysql(sql) : await explainSqlite(sql);
    if (problem) problems.push({ page, sql, plan });
  }
  assert.deepEqual(problems, [], problems.map((p) => `${p.page}\n  ${p.sql}\n  → ${p.plan}`).join('\n\n'));
});
