import type { Sequelize, Transaction } from 'sequelize';
import { Book } from '../models';
import { sqlRunner, type Sql } from '../db/sql';
import * as catalog from './catalog';
import { batchedLookup } from '../lib/batched-lookup';

/**
 * What every page reads and few changes touch — the category menu with its counts and the home
 * page's featured books — kept in memory instead of queried on every request.
 *
 * Each process (PM2 worker) has its own copy, so a change made through one worker must reach the
 * others. The database holds a version stamp (the CacheStamps row 'catalog'); every change that
 * alters what is cached bumps it in the change's own transaction, and every request compares the
 * stamp with the one its copy was loaded at. One tiny primary-key read per request, shared by the
 * requests that arrive together, replaces the GROUP BY and the featured-books queries; and since
 * the bump commits with the change, no request that starts after a change can see the old copy.
 *
 * Who bumps: recordAudit for every admin change to books, authors and orders (each is audited in
 * its own transaction), checkout when a sale takes a book out of stock (the featured books are
 * in-stock books), and the catalog seed. Writes made behind the app's back (SQL by hand, a script
 * run while the store is up) are picked up after MAX_AGE_MS at the latest.
 *
 * The cached pages (services/page-cache.ts) are tagged with the same stamp. A sale that leaves the
 * book in stock bumps nothing: the one thing it changes on a page, the book page's count, is a slot
 * filled from the current stock on every response. The 'stock' row (migration 0006) was bumped by
 * every sale while the pages showed counts from their render; nothing reads or moves it any more.
 */

const CATALOG_STAMP = 'catalog';
export const MAX_AGE_MS = 60_000;

/** Marks the catalog cache and the cached pages of every process stale, once `sql`'s transaction commits. */
export async function bumpCatalog(sql: Sql): Promise<void> {
  await sql.run('UPDATE CacheStamps SET version = version + 1 WHERE name = ?', [CATALOG_STAMP]);
}

/** bumpCatalog in `transaction`. */
export async function bumpCatalogStamp(transaction: Transaction): Promise<void> {
  await bumpCatalog(sqlRunner(Book.sequelize!, transaction));
}

export type StampRead = () => Promise<number | null>;

/** The one key batchedReader's lookup is asked for. */
const ONLY = 0;

/**
 * Reads the stamp for many concurrent requests with few queries. A request never joins a read
 * that was already under way when it arrived (that read could miss a change committed just before
 * the request); it waits for the next one, which starts as soon as the current one ends and serves
 * everyone who arrived meanwhile. The same rule as the stock counts' lookup by key, with one key.
 */
export function batchedReader<T = number | null>(read: () => Promise<T>): () => Promise<T> {
  const lookup = batchedLookup(async () => new Map([[ONLY, await read()]]));
  return () => lookup(ONLY) as Promise<T>;
}

interface Entry {
  version: number;
  loadedAt: number;
  value: Promise<unknown>;
}

/** Cached values are shared by every request, so nobody may change them in place. */
function frozen<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) if (item && typeof item === 'object') Object.freeze(item);
  }
  return Object.freeze(value);
}

export function createStampedCache(readStamp: StampRead, now: () => number = Date.now) {
  const entries = new Map<string, Entry>();
  return {
    async get<T>(key: string, load: () => Promise<T>): Promise<T> {
      const version = await readStamp();
      // No stamp row (a database the migrations have not reached): never serve a copy.
      if (version === null) return load();
      const entry = entries.get(key);
      // A copy loaded at a later stamp than this request read is newer still: fine to serve.
      if (entry && entry.version >= version && now() - entry.loadedAt < MAX_AGE_MS) return entry.value as Promise<T>;
      // The stamp is read before loading: a change committed during the load leaves the copy
      // tagged with the older stamp, and the next request loads again.
      const value = load().then(frozen);
      const created: Entry = { version, loadedAt: now(), value };
      entries.set(key, created);
      value.catch(() => {
        if (entries.get(key) === created) entries.delete(key);
      });
      return value;
    },
  };
}

/**
 * Reads the catalog stamp (null without its row: a database the migrations have not reached),
 * batched across concurrent requests; the catalog and page caches share it. Every page cache hit
 * waits for one, so it goes by plain SQL (db/sql.ts): through Sequelize's pipeline the read cost
 * about as much again as the statement.
 */
export function createStampReader(sequelize: Sequelize): StampRead {
  const sql = sqlRunner(sequelize);
  return batchedReader(async () => {
    const row = await sql.one<{ version: number | string }>(`SELECT version FROM CacheStamps WHERE name = '${CATALOG_STAMP}'`);
    return row === undefined ? null : Number(row.version);
  });
}

export function createCatalogCache(readStamp: StampRead) {
  const cache = createStampedCache(readStamp);
  return {
    listGenres: () => cache.get('genres', catalog.listGenres),
    featuredBooks: () => cache.get('featured', catalog.featuredBooks),
  };
}

/** The catalog service with its hot reads served from the cache. */
export function cachedCatalog(readStamp: StampRead) {
  const cache = createCatalogCache(readStamp);
  return {
    ...catalog,
    listGenres: cache.listGenres,
    featuredBooks: cache.featuredBooks,
    booksInGenre: async (slug: string, options: Parameters<typeof catalog.booksInGenre>[1]) =>
      catalog.booksInGenre(slug, options, await cache.listGenres()),
    listBooks: async (options: Parameters<typeof catalog.listBooks>[0]) =>
      catalog.listBooks(options, await cache.listGenres()),
  };
}
