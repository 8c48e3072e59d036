import type BetterSqlite3 from 'better-sqlite3';
import { bindable, fromDriver, type RunResult, type Sql, type SqlValue } from './sql';
import { inTransaction } from './sql-transaction';
import { STATEMENT_CACHE_SIZE } from './statement-cache';
import { betterSqlite3 } from './sqlite-library';

/**
 * db.sql() on SQLite through better-sqlite3, which runs a statement synchronously on the calling
 * thread. sqlite3 (what Sequelize drives) runs each statement on libuv's thread pool: queueing, a
 * uv_async wake-up, the callback and its promise cost about 41 µs of process CPU for an indexed point
 * read, most of it on the main thread, against about 2 µs here (50,000 reads of one row by its key,
 * in-process, on the bench machine), and a cart cycle runs about 19 such statements. Sequelize keeps sqlite3 for the
 * models; the hot paths' plain SQL comes here. So one process has two drivers on one file: its
 * writes queue on one mutex (db/connection.ts), and a Sequelize transaction's own plain SQL stays on
 * that transaction's sqlite3 connection (db/sql.ts sqlRunner).
 *
 * Two long-lived connections: a reader for statements outside any transaction, and a writer that
 * only ever runs write transactions, so no read outside a transaction sees its uncommitted rows.
 * Neither has a busy timeout: a synchronous statement that waited for a lock held by another process
 * (PM2 workers share the file) or by Sequelize's connections would stop the event loop for as long.
 * A statement that finds the database busy is tried again after a short pause instead, until the
 * same budget the sqlite3 connections wait (busyTimeoutMs) is spent.
 */

export interface SyncSqliteOptions {
  /** PRAGMA synchronous for both connections (db/connection.ts SQLITE_SYNCHRONOUS). */
  synchronous: string;
  /** How long a statement keeps retrying while the database is busy before it fails with SQLITE_BUSY. */
  busyTimeoutMs: number;
}

export interface SyncSqlite {
  /** Statements outside any transaction. */
  readonly reader: Sql;
  /** BEGIN IMMEDIATE, `work`, COMMIT on the writer connection; callers queue on the writers' mutex. */
  writeTransaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** The retry budget of a busy statement from now on (tests shorten it). */
  setBusyTimeout(ms: number): void;
  close(): void;
}

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/** The longest pause between two tries of a busy statement. */
const MAX_PAUSE_MS = 25;

/**
 * Each connection's page cache, in KiB (SQLite's default is 2,000). Its pages are malloc'd on the
 * main thread, where better-sqlite3 runs, and a cache once filled is kept for the connection's life.
 * The writer's filled to the full 2 MB as the bench's orders and sessions grew the file (the main
 * arena ended at 10.2 MB; 8.0 with 256 KiB, the store's RSS under load about 2 MB lower). The
 * reader's cache is dropped by SQLite whenever another connection committed since its last read
 * (WAL), so under writes it holds little anyway; a miss is a read from the OS's page cache of a few
 * µs. CPU per request did not move (npm run bench -- --only cart,checkout --connections 50, two
 * runs each: cart 0.61-0.63 ms with 2 MB, 0.62 with 256 KiB; checkout 0.83-0.84 and 0.79-0.84).
 * Plain SQL here is point reads and short write transactions; big scans run on Sequelize's
 * connections.
 */
export const PAGE_CACHE_KIB = 256;

/** better-sqlite3 binds numbers, strings, bigints, Buffers and null; sqlite3 also took booleans (as 1/0) and undefined (as NULL). */
function driverValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value === undefined ? null : value;
}

function isBusy(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('SQLITE_BUSY');
}

/**
 * The driver's error as sqlite3 reported it, so callers see one shape whichever driver ran the
 * statement: the primary code ('SQLITE_BUSY', 'SQLITE_CONSTRAINT') as `code` (better-sqlite3 gives
 * the extended one, kept as `extendedCode`) and the code at the start of the message.
 */
function asReported(error: unknown): unknown {
  const e = error as { code?: unknown; message?: unknown; extendedCode?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) {
    const primary = /^SQLITE_[A-Z]+/.exec(e.code)![0];
    if (primary !== e.code) {
      e.extendedCode = e.code;
      e.code = primary;
    }
    if (typeof e.message === 'string' && !e.message.startsWith(primary)) e.message = `${primary}: ${e.message}`;
  }
  return fromDriver(error);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One better-sqlite3 connection with its prepared statements, least recently used out first past the bound. */
class Connection {
  readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, Statement>();

  /**
   * `answerLater`: the reader hands its results over in the event loop's check phase (setImmediate)
   * rather than at once. The statement still runs at once, synchronously; only the caller's
   * continuation waits. Answered at once, each request ran from its read to its response's write
   * inside the poll callback that parsed it, one socket write and one wake-up of the client after
   * another; answered later, the requests that arrived together are parsed first and answered
   * together. Measured with 50 connections on the bench machine: a cached page's main-thread CPU
   * 0.21 → 0.14 ms a request, a book page through the whole chain 0.76 → 0.42. The writer answers at
   * once, so a write transaction runs from BEGIN to COMMIT without letting the event loop turn.
   */
  constructor(file: string, private readonly options: SyncSqliteOptions, private readonly answerLater = false) {
    // timeout 0: no busy handler at all (see above); the retry below waits without blocking.
    const Driver = betterSqlite3();
    if (!Driver) throw new Error('better-sqlite3 is not installed');
    this.db = new Driver(file, { fileMustExist: true, timeout: 0 });
    this.db.pragma(`synchronous = ${options.synchronous}`);
    // As Sequelize's connections have it (its SQLite connection manager turns it on for each).
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  }

  private statement(text: string): Statement {
    let statement = this.statements.get(text);
    if (statement) {
      // Most recently used last: the Map's order is the eviction order.
      this.statements.delete(text);
    } else {
      statement = this.db.prepare(text);
      // Evicted statements need no finalizing: better-sqlite3 finalizes them when collected or at close.
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(text, statement);
    return statement;
  }

  /**
   * Runs `step` on the statement for `text` now, or, while the database is busy, after short pauses
   * until the budget is spent. better-sqlite3 resets a statement after every use, failed or not, so
   * a kept statement holds no read snapshot and no bindings between uses.
   */
  private execute<R>(text: string, params: readonly SqlValue[], step: (statement: Statement, values: unknown[]) => R): Promise<R> {
    let values: unknown[];
    try {
      values = bindable(text, params, 'sqlite').map(driverValue);
    } catch (error) {
      // The statement hook's own error, not the driver's.
      return Promise.reject(error);
    }
    try {
      const result = step(this.statement(text), values);
      return this.answerLater ? new Promise<R>((resolve) => setImmediate(resolve, result)) : Promise.resolve(result);
    } catch (error) {
      if (!isBusy(error) || this.options.busyTimeoutMs <= 0) return Promise.reject(asReported(error));
      return this.retry(text, values, step, error);
    }
  }

  private async retry<R>(text: string, values: unknown[], step: (statement: Statement, values: unknown[]) => R, first: unknown): Promise<R> {
    const giveUpAt = Date.now() + this.options.busyTimeoutMs;
    let pause = 1;
    let last = first;
    while (Date.now() < giveUpAt) {
      await sleep(Math.min(pause, Math.max(0, giveUpAt - Date.now())));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
      try {
        return step(this.statement(text), values);
      } catch (error) {
        if (!isBusy(error)) throw asReported(error);
        last = error;
      }
    }
    throw asReported(last);
  }

  /** This connection's statements, behind the Sql interface. */
  readonly sql: Sql = this.runner();

  private runner(): Sql {
    const all = <T>(text: string, params: readonly SqlValue[] = []) =>
      // sqlite3's #all ran any statement and answered its rows (none for a write); better-sqlite3's only a query.
      this.execute(text, params, (statement, values) => (statement.reader ? statement.all(...values) : (statement.run(...values), [])) as T[]);
    return {
      dialect: 'sqlite',
      all,
      one: <T>(text: string, params: readonly SqlValue[] = []) =>
        this.execute(text, params, (statement, values) => (statement.reader ? statement.get(...values) : (statement.run(...values), undefined)) as T | undefined),
      run: (text, params = []) =>
        this.execute(text, params, (statement, values): RunResult => {
          const { changes, lastInsertRowid } = statement.run(...values);
          return { changes, lastId: Number(lastInsertRowid) };
        }),
    };
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

/** Opens the reader now (the file must exist: Sequelize has created and migrated it) and the writer on first use. */
export function openSyncSqlite(file: string, options: SyncSqliteOptions): SyncSqlite {
  // One options object for both connections, so setBusyTimeout reaches both.
  options = { ...options };
  const reader = new Connection(file, options, true);
  let writer: Connection | null = null;
  let closed = false;
  return {
    reader: reader.sql,
    writeTransaction: async (work) => {
      if (closed) throw fromDriver(new TypeError('The database connection is not open'));
      const connection = (writer ??= new Connection(file, options));
      return inTransaction(connection.sql, 'BEGIN IMMEDIATE', work, (clean) => {
        // A ROLLBACK that failed may leave the connection inside the transaction: closing ends it.
        if (!clean || connection.db.inTransaction) {
          connection.close();
          if (writer === connection) writer = null;
        }
      });
    },
    setBusyTimeout: (ms) => {
      options.busyTimeoutMs = ms;
    },
    close: () => {
      closed = true;
      reader.close();
      writer?.close();
      writer = null;
    },
  };
}
