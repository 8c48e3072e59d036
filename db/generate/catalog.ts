import { QueryTypes, type Transaction } from 'sequelize';
import type { Database } from '../connection';
import { centsToDecimal, toCents } from '../../lib/money';
import { rebuildSalesRollups } from '../../services/sales-rollups';
import { bumpCatalogStamp } from '../../services/catalog-cache';
import { authorSearchName } from '../../lib/search-text';
import { seedBooks } from '../seed';
import { Random } from './random';
import * as words from './words';

export interface GenerateOptions {
  books: number;
  orders: number;
  authors: number;
  seed: number;
  /** The moment the order history ends; orders go back about two years from it. */
  now?: Date;
}

export interface GenerateReport {
  authors: number;
  books: number;
  users: number;
  orders: number;
  lines: number;
}

/** How the caller shows progress: one phase at a time, each with its number of rows. */
export interface Progress {
  phase(name: string, total: number): void;
  advance(rows: number): void;
  done(): void;
}

export const noProgress: Progress = { phase: () => {}, advance: () => {}, done: () => {} };

const BATCH = 1000;
const BATCHES_PER_TRANSACTION = 20;
const SQLITE_CACHE_KIB = 256 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
const HISTORY_DAYS = 730;
const POPULARITY_STRIDE = 104_729;

/** The bundled genres and a few more, with weights: a store's categories are never the same size. */
const GENRES = [
  ['Fantasy', 16], ['Mystery & Thriller', 15], ['NYT Bestsellers', 14], ['Science Fiction', 13],
  ["Children's Books", 12], ['Classics', 10], ['Romance', 9], ['History', 7], ['Social Justice', 6],
  ['Biography', 5], ['Top 9', 3], ['Poetry', 2],
] as const;

type Row = Record<string, unknown>;

/** The highest id in a table, so generated rows can carry their own ids (orders point at carts and books). */
async function maxId(db: Database, table: string): Promise<number> {
  const [row] = await db.sequelize.query<{ id: number | string | null }>(`SELECT MAX(id) AS id FROM ${table}`, { type: QueryTypes.SELECT });
  return Number(row?.id ?? 0);
}

async function insert(db: Database, table: string, rows: Row[], transaction: Transaction): Promise<void> {
  if (rows.length > 0) await db.sequelize.getQueryInterface().bulkInsert(table, rows, { transaction });
}

/**
 * Writes `count` items made by `make`: BATCH of them to one multi-row INSERT per table, and
 * BATCHES_PER_TRANSACTION batches to a transaction. Few, large transactions matter on SQLite, where
 * each one runs on a fresh connection that starts with a cold page cache.
 */
async function inBatches(
  db: Database,
  count: number,
  progress: Progress,
  make: (index: number) => Record<string, Row[]>,
): Promise<void> {
  const perTransaction = BATCH * BATCHES_PER_TRANSACTION;
  for (let first = 0; first < count; first += perTransaction) {
    await db.writeTransaction(async (transaction) => {
      if (db.dialect === 'sqlite') await db.sequelize.query(`PRAGMA cache_size = -${SQLITE_CACHE_KIB}`, { transaction });
      for (let start = first; start < Math.min(count, first + perTransaction); start += BATCH) {
        const end = Math.min(count, start + BATCH);
        const tables = new Map<string, Row[]>();
        for (let i = start; i < end; i += 1) {
          for (const [table, rows] of Object.entries(make(i))) {
            const list = tables.get(table) ?? [];
            list.push(...rows);
            tables.set(table, list);
          }
        }
        // Map order is insertion order: parents (carts) are written before the rows pointing at them.
        for (const [table, rows] of tables) {
          for (let i = 0; i < rows.length; i += BATCH) await insert(db, table, rows.slice(i, i + BATCH), transaction);
        }
        progress.advance(end - start);
      }
    });
  }
}

/** Author i's name: every (first, last) pair once, in a scattered order, then again with a middle initial. */
function authorName(i: number): { firstName: string; lastName: string } {
  const { FIRST_NAMES: first, LAST_NAMES: last } = words;
  const pairs = first.length * last.length;
  // 7919 is prime and shares no factor with the pair count, so this visits every pair once per round.
  const k = (i * 7919) % pairs;
  const round = Math.floor(i / pairs);
  const initial = round === 0 ? '' : ` ${String.fromCharCode(65 + ((round - 1) % 26))}.${round > 26 ? ` ${Math.ceil(round / 26)}` : ''}`;
  return { firstName: `${first[k % first.length]}${initial}`, lastName: last[Math.floor(k / first.length)] };
}

function title(random: Random): string {
  const adjective = random.pick(words.TITLE_ADJECTIVES);
  const noun = random.pick(words.TITLE_NOUNS);
  switch (random.int(0, 3)) {
    case 0: return `The ${adjective} ${noun}`;
    case 1: return `The ${noun} of ${random.pick(words.TITLE_PLACES)}`;
    case 2: return `${adjective} ${noun}s`;
    default: return `A ${adjective} ${noun} in ${random.pick(words.TITLE_PLACES)}`;
  }
}

/** A price in whole dollars less a cent or five, as shops price books. */
function priceCents(random: Random): number {
  const dollars = Math.round(4 + 40 * random.float() ** 2);
  return dollars * 100 - (random.chance(0.7) ? 1 : 5);
}

/** What became of an order by now, from its age: new ones are waiting, old ones arrived; a few were cancelled. */
function statusByAge(random: Random, ageDays: number): string {
  if (random.chance(0.04)) return 'cancelled';
  if (ageDays < 2) return 'placed';
  if (ageDays < 7) return random.chance(0.3) ? 'placed' : 'shipped';
  if (ageDays < 14) return random.chance(0.5) ? 'shipped' : 'delivered';
  return 'delivered';
}

/**
 * Adds a generated catalog and order history on top of what the store has: `books` books by
 * `authors` authors in genres of uneven sizes, some out of stock and a few hidden, then `orders`
 * past orders over about two years, some by accounts, with 1–4 lines at the prices they were
 * placed at. Deterministic for a given seed. The sales rollups are recounted at the end.
 */
export async function generateCatalog(db: Database, options: GenerateOptions, progress: Progress = noProgress): Promise<GenerateReport> {
  const random = new Random(options.seed);
  const now = options.now ?? new Date();
  const stamp = (date: Date) => ({ createdAt: date, updatedAt: date });

  const firstAuthor = (await maxId(db, 'Authors')) + 1;
  const firstBook = (await maxId(db, 'Books')) + 1;
  const existingNames = new Set(
    (await db.sequelize.query<{ firstName: string; lastName: string }>('SELECT firstName, lastName FROM Authors', { type: QueryTypes.SELECT }))
      .map((a) => `${a.firstName}\u0000${a.lastName}`),
  );

  progress.phase('Authors', options.authors);
  // Each generated author's name, by position, for the books' full-text author name.
  const generatedNames: string[] = [];
  let skippedNames = 0;
  await inBatches(db, options.authors, progress, (i) => {
    let name = authorName(i + skippedNames);
    // A generated name that an existing author already has is passed over (the pair is unique).
    while (existingNames.has(`${name.firstName}\u0000${name.lastName}`)) {
      skippedNames += 1;
      name = authorName(i + skippedNames);
    }
    generatedNames[i] = authorSearchName(name);
    const joined = new Date(now.getTime() - random.int(HISTORY_DAYS, 3 * HISTORY_DAYS) * DAY_MS);
    return { Authors: [{ id: firstAuthor + i, ...name, ...stamp(joined) }] };
  });

  // Prices of every book orders may draw from: the bundled ones too.
  const existing = await db.sequelize.query<{ id: number; price: string | number }>('SELECT id, price FROM Books ORDER BY id', { type: QueryTypes.SELECT });
  const bookIds: number[] = existing.map((b) => Number(b.id));
  const bookPrices: number[] = existing.map((b) => toCents(b.price));

  progress.phase('Books', options.books);
  const titlesByAuthor = new Map<number, Set<string>>();
  await inBatches(db, options.books, progress, (i) => {
    const id = firstBook + i;
    const authorId = firstAuthor + random.skewedIndex(options.authors, 1.5);
    const taken = titlesByAuthor.get(authorId) ?? new Set<string>();
    titlesByAuthor.set(authorId, taken);
    let name = title(random);
    // (title, AuthorId) is unique: a second book of the same name by the same author is a sequel.
    for (let volume = 2; taken.has(name); volume += 1) name = `${name.replace(/ \(Book \d+\)$/, '')} (Book ${volume})`;
    taken.add(name);
    const cents = priceCents(random);
    bookIds.push(id);
    bookPrices.push(cents);
    const added = new Date(now.getTime() - random.int(0, HISTORY_DAYS) * DAY_MS - random.int(0, DAY_MS - 1));
    const hidden = random.chance(0.01);
    return {
      Books: [{
        id,
        title: name,
        AuthorId: authorId,
        authorName: generatedNames[authorId - firstAuthor],
        genre: random.weighted(GENRES),
        pubYear: 2025 - Math.floor(175 * random.float() ** 3),
        price: centsToDecimal(cents),
        inventory: random.chance(0.08) ? 0 : random.int(1, 40),
        bookDescription: `${random.pick(words.DESCRIPTION_OPENINGS)} ${random.pick(words.DESCRIPTION_SUBJECTS)}.`,
        removedAt: hidden ? new Date(added.getTime() + DAY_MS) : null,
        coverType: null,
        ...stamp(added),
      }],
    };
  });

  const userCount = Math.min(50_000, Math.ceil(options.orders / 10));
  const firstUser = (await maxId(db, 'Users')) + 1;
  const users: Array<{ name: string; email: string; cartKey: string }> = [];
  progress.phase('Accounts', userCount);
  await inBatches(db, userCount, progress, (i) => {
    const person = authorName(i * 13 + 5);
    const user = {
      name: `${person.firstName} ${person.lastName}`,
      email: `reader${firstUser + i}@generated.invalid`,
      cartKey: random.key(24),
    };
    users.push(user);
    // No password hash verifies against this, so nobody can sign in to a generated account.
    const joined = new Date(now.getTime() - random.int(HISTORY_DAYS, 2 * HISTORY_DAYS) * DAY_MS);
    return { Users: [{ id: firstUser + i, ...user, passwordHash: 'generated-account-no-password', role: 'shopper', ...stamp(joined) }] };
  });

  const firstCart = (await maxId(db, 'Carts')) + 1;
  const firstOrder = (await maxId(db, 'Checkouts')) + 1;
  const historyStart = now.getTime() - HISTORY_DAYS * DAY_MS;
  let lineCount = 0;
  progress.phase('Orders', options.orders);
  await inBatches(db, options.orders, progress, (i) => {
    // More orders lately than two years ago (a growing shop), and ids in the order they were placed.
    const placed = new Date(historyStart + HISTORY_DAYS * DAY_MS * Math.sqrt((i + random.float()) / options.orders));
    const ageDays = (now.getTime() - placed.getTime()) / DAY_MS;
    const user = random.chance(0.3) && users.length > 0 ? { index: random.int(0, users.length - 1) } : null;
    const account = user ? users[user.index] : null;
    const cartId = firstCart + i;
    const picked = new Set<number>();
    const lines: Row[] = [];
    let subtotal = 0;
    let quantity = 0;
    const lineCountWanted = random.weighted([['1', 50], ['2', 28], ['3', 14], ['4', 8]] as const);
    while (lines.length < Number(lineCountWanted)) {
      // Popularity by rank, scattered over the catalog (a prime stride) so best sellers are anywhere in it.
      const rank = random.skewedIndex(bookIds.length, 2.5);
      const at = bookIds.length % POPULARITY_STRIDE === 0 ? rank : (rank * POPULARITY_STRIDE + 17) % bookIds.length;
      if (picked.has(at)) continue;
      picked.add(at);
      // Older orders were sometimes placed at another price than today's: they keep theirs.
      const drift = ageDays > 180 && random.chance(0.15) ? 1 + (random.int(-10, 10) / 100) : 1;
      const unit = Math.max(99, Math.round(bookPrices[at] * drift));
      const copies = random.weighted([['1', 80], ['2', 15], ['3', 5]] as const);
      const n = Number(copies);
      lines.push({ CartId: cartId, BookId: bookIds[at], quantity: n, unitPrice: centsToDecimal(unit), ...stamp(placed) });
      subtotal += unit * n;
      quantity += n;
    }
    lineCount += lines.length;
    const [city, state] = random.pick(words.CITIES);
    const shopper = account ? account.name : (({ firstName, lastName }) => `${firstName} ${lastName}`)(authorName(random.int(0, 99_999)));
    const status = statusByAge(random, ageDays);
    return {
      Carts: [{
        id: cartId,
        ownerKey: account ? account.cartKey : random.key(24),
        status: 'ordered',
        totalQuantity: quantity,
        totalPrice: centsToDecimal(subtotal),
        ...stamp(placed),
      }],
      Cartbooks: lines,
      Checkouts: [{
        id: firstOrder + i,
        CartId: cartId,
        UserId: user ? firstUser + user.index : null,
        status,
        fullName: shopper,
        email: account ? account.email : `guest${firstOrder + i}@generated.invalid`,
        addressLine1: `${random.int(1, 999)} ${random.pick(words.STREETS)}`,
        addressLine2: random.chance(0.2) ? `Apt ${random.int(1, 40)}` : null,
        city,
        state,
        zipCode: String(random.int(10000, 99999)),
        subTotal: centsToDecimal(subtotal),
        createdAt: placed,
        updatedAt: status === 'placed' ? placed : new Date(Math.min(now.getTime(), placed.getTime() + 2 * DAY_MS)),
      }],
    };
  });

  progress.phase('Sales rollups and statistics', 1);
  await rebuildSalesRollups(db);
  await analyze(db);
  // A store already running on this database drops its cached menu and featured books.
  await db.writeTransaction((transaction) => bumpCatalogStamp(transaction));
  progress.advance(1);
  progress.done();
  return { authors: options.authors, books: options.books, users: userCount, orders: options.orders, lines: lineCount };
}

/**
 * Fresh planner statistics on MySQL, as InnoDB keeps them in production. SQLite is left without
 * any, as a store the app runs never gathers them: its ANALYZE (without STAT4, which Debian's build
 * lacks) averages removedAt over every removal time, so "removedAt IS NULL" would look like a few
 * rows instead of nearly the whole catalog, and the planner would sort instead of reading in order.
 */
export async function analyze(db: Database): Promise<void> {
  if (db.dialect === 'mysql') await db.sequelize.query('ANALYZE TABLE Authors, Books, Users, Carts, Cartbooks, Checkouts, DailySales');
}

/** The store a generated catalog goes into: only the bundled catalog, no orders yet, so ids and names do not collide with real ones. */
export async function canGenerateInto(db: Database): Promise<string | null> {
  const [row] = await db.sequelize.query<{ books: number | string; orders: number | string }>(
    'SELECT (SELECT COUNT(*) FROM Books) AS books, (SELECT COUNT(*) FROM Checkouts) AS orders',
    { type: QueryTypes.SELECT },
  );
  if (Number(row.books) > seedBooks.length) return `the store already has ${row.books} books (more than the bundled ${seedBooks.length}); generate into a new database`;
  if (Number(row.orders) > 0) return `the store already has ${row.orders} orders; generate into a new database`;
  return null;
}
