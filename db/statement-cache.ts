import type { Database as SqliteDatabase, Statement as SqliteStatement } from 'sqlite3';

/**
 * Prepared statements kept per SQLite connection, for db.sql().
 *
 * sqlite3's Database#all and #run make a new Statement for every call: a prepare on the thread
 * pool, the step, a finalize, and a native object for the garbage collector each time. In the cart
 * scenario that wrapper alone was about 8% of the main thread. A statement kept here is prepared
 * once and then only bound and stepped.
 *
 * Why reuse holds no read snapshot (node_modules/sqlite3/src/statement.cc): Statement#all and #run
 * reset the statement and bind the new parameters before they step (Bind() calls sqlite3_reset, and
 * Work_All/Work_Run reset when there are none); #all steps until SQLITE_DONE, and an INSERT, UPDATE
 * or DELETE stepped by #run reaches SQLITE_DONE at its first step. A statement that reached DONE
 * has ended its implicit transaction, so between uses it reads nothing and locks nothing. A
 * statement that can still return a row after #run's single step (a SELECT, a PRAGMA, RETURNING)
 * would keep its read transaction open until its next use, so #run never takes one from here.
 *
 * Calls on one Statement are queued by the driver, one at a time, each with its own parameters;
 * the connection runs one statement at a time anyway.
 */

/** SQL texts kept per connection. The app's own statements number a few dozen, plus checkout's
 * `IN (?, …)` list in up to 50 lengths; anything past the bound is finalized, least recently used first. */
export const STATEMENT_CACHE_SIZE = 128;

export type StatementConstructor = new (database: SqliteDatabase, text: string, callback?: (error: Error | null) => void) => SqliteStatement;

export interface CachedRunResult {
  changes: number;
  lastID: number;
}

interface Entry {
  statement: SqliteStatement;
  /** Pending while the driver prepares the statement; null once it is prepared. */
  ready: Promise<void> | null;
  /** Whether #run may use it (see above): INSERT, UPDATE, DELETE, REPLACE or transaction control, without RETURNING. */
  runnable: boolean;
}

/** Statements #all may keep: queries and data changes. DDL, PRAGMAs and the like run uncached. */
const QUERY_OR_CHANGE = /^\s*(SELECT|WITH|VALUES|INSERT|UPDATE|DELETE|REPLACE)\b/i;
const RUNNABLE = /^\s*(INSERT|UPDATE|DELETE|REPLACE|BEGIN|COMMIT|END|ROLLBACK)\b/i;
const RETURNING = /\bRETURNING\b/i;

export class StatementCache {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly connection: SqliteDatabase,
    private readonly Statement: StatementConstructor,
    private readonly limit = STATEMENT_CACHE_SIZE,
  ) {}

  /** How many statements are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Whether `text` is kept right now (for tests). */
  has(text: string): boolean {
    return this.entries.has(text);
  }

  all<T>(text: string, params: unknown[]): Promise<T[]> {
    const entry = this.entryFor(text, false, params.length);
    return new Promise<T[]>((resolve, reject) => {
      if (!entry) {
        this.connection.all(text, params, (error: Error | null, rows: T[]) => (error ? reject(error) : resolve(rows)));
        return;
      }
      const call = () => {
        entry.statement.all(params, (error: Error | null, rows: T[]) => {
          if (error) {
            this.forget(text, entry);
            reject(error);
          } else resolve(rows);
        });
      };
      this.whenReady(entry, call, reject);
    });
  }

  run(text: string, params: unknown[]): Promise<CachedRunResult> {
    const entry = this.entryFor(text, true, params.length);
    return new Promise<CachedRunResult>((resolve, reject) => {
      if (!entry) {
        this.connection.run(text, params, function (error: Error | null) {
          if (error) reject(error);
          else resolve({ changes: this.changes, lastID: this.lastID });
        });
        return;
      }
      const call = () => {
        const forget = () => this.forget(text, entry);
        // The driver calls back with the statement as `this`, its changes and lastID just set.
        entry.statement.run(params, function (this: CachedRunResult, error: Error | null) {
          if (error) {
            forget();
            reject(error);
          } else resolve({ changes: this.changes, lastID: this.lastID });
        });
      };
      this.whenReady(entry, call, reject);
    });
  }

  /**
   * Calls `call` at once when the statement is prepared, else once it is (or `reject` when it
   * cannot be). sqlite3 throws for a parameter it cannot bind; after the wait that throw must still
   * reach the caller's promise, as it does when `call` runs inside the promise's executor.
   */
  private whenReady(entry: Entry, call: () => void, reject: (error: unknown) => void): void {
    if (!entry.ready) {
      call();
      return;
    }
    entry.ready.then(() => {
      try {
        call();
      } catch (error) {
        reject(error);
      }
    }, reject);
  }

  /**
   * Finalizes every kept statement; resolves when the driver has. The connection cannot close
   * while any statement is unfinalized (sqlite3_close answers SQLITE_BUSY), so this runs first.
   * Statements asked for afterwards run uncached.
   */
  async finalizeAll(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => this.finalize(entry)));
  }

  /** The kept statement for `text`, preparing (and keeping) it on first use; null when it must run uncached. */
  private entryFor(text: string, forRun: boolean, paramCount: number): Entry | null {
    // sqlite3 clears a statement's bindings only when it is given parameters: called with none, a
    // kept statement with placeholders would run with the previous caller's values (another
    // visitor's, on the shared connection). The driver binds NULL to a fresh one, as before.
    if (paramCount === 0 && text.includes('?')) return null;
    const found = this.entries.get(text);
    if (found) {
      if (forRun && !found.runnable) return null;
      // Most recently used last: the Map's order is the eviction order.
      this.entries.delete(text);
      this.entries.set(text, found);
      return found;
    }
    if (this.closed) return null;
    const runnable = RUNNABLE.test(text) && !RETURNING.test(text);
    if (forRun ? !runnable : !QUERY_OR_CHANGE.test(text)) return null;
    const entry = this.prepare(text, runnable);
    this.entries.set(text, entry);
    if (this.entries.size > this.limit) {
      const [oldestText, oldest] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldestText);
      void this.finalize(oldest);
    }
    return entry;
  }

  private prepare(text: string, runnable: boolean): Entry {
    let prepared!: () => void;
    let failed!: (error: Error) => void;
    const entry: Entry = {
      statement: null as unknown as SqliteStatement,
      ready: new Promise<void>((resolve, reject) => {
        prepared = resolve;
        failed = reject;
      }),
      runnable,
    };
    // Database#prepare calls back only on failure, so the Statement is made directly: its
    // callback hears success too. A statement that fails to prepare is never kept.
    entry.statement = new this.Statement(this.connection, text, (error) => {
      if (error) {
        if (this.entries.get(text) === entry) this.entries.delete(text);
        failed(error);
      } else {
        entry.ready = null;
        prepared();
      }
    });
    // Nobody may be waiting yet when preparing fails (an evicted entry); its rejection is handled here.
    entry.ready!.catch(() => {});
    return entry;
  }

  /** Forgets a statement whose use failed: it is prepared afresh next time, so no failed state lingers. */
  private forget(text: string, entry: Entry): void {
    if (this.entries.get(text) !== entry) return;
    this.entries.delete(text);
    void this.finalize(entry);
  }

  /**
   * Finalizes once the statement is prepared. Callers already waiting for it registered on
   * `ready` before this did, so their calls are queued on the statement ahead of the finalize.
   */
  private finalize(entry: Entry): Promise<void> {
    const done = () => new Promise<void>((resolve) => {
      entry.statement.finalize(() => resolve());
    });
    // A statement that failed to prepare was finalized by the driver.
    return entry.ready ? entry.ready.then(done, () => undefined) : done();
  }
}

const caches = new WeakMap<object, StatementCache>();

/**
 * The statement cache of `connection`, made on first use. Its close() then finalizes the kept
 * statements before the driver closes the file, whoever closes it (Sequelize releasing a
 * transaction's connection, sequelize.close(), the process exiting).
 */
export function statementCacheOf(connection: SqliteDatabase, Statement: StatementConstructor): StatementCache {
  let cache = caches.get(connection);
  if (!cache) {
    const created = new StatementCache(connection, Statement);
    caches.set(connection, created);
    const close = connection.close;
    connection.close = function (this: SqliteDatabase, callback?: (error: Error | null) => void) {
      void created.finalizeAll().then(() => close.call(this, callback));
    };
    cache = created;
  }
  return cache;
}
