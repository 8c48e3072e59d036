import type { Sequelize, Transaction } from 'sequelize';
import type { Database as SqliteDatabase } from 'sqlite3';
import { statementCacheOf, type StatementConstructor } from './statement-cache';

/**
 * Plain SQL on the driver's own connections, for the few statements every cart change, order and
 * session runs. Sequelize's query pipeline (option merging, hooks, model building, and on SQLite a
 * dialect layer that re-reads results) costs several times what the statement itself costs; on
 * the hot paths that overhead was most of a request. Everything else keeps using the models.
 *
 * Statements use `?` placeholders, which both sqlite3 and mysql2 bind (mysql2 escapes them on the
 * client). Inside a Sequelize transaction they run on the transaction's connection, so they see and
 * hold its locks; outside one they run, on SQLite, on better-sqlite3's reader (db/sqlite-sync.ts,
 * which also runs db.sqlWriteTransaction there), and on MySQL on a pooled connection. sqlite3's
 * connections keep the statements they ran prepared (db/statement-cache.ts); a write transaction
 * made of these statements alone is db.sqlWriteTransaction (db/sql-transaction.ts).
 * Write only the SQL both databases understand, or branch on `dialect`.
 */

export type SqlValue = string | number | null | Date | Buffer;

export interface RunResult {
  /**
   * Rows the statement touched. SQLite counts the rows it matched, MySQL only those whose values
   * changed, so rely on it only for statements that change every row they match (a guarded
   * decrement, an INSERT, a DELETE).
   */
  changes: number;
  /** The AUTO_INCREMENT / rowid of the row an INSERT created. */
  lastId: number;
}

export interface Sql {
  readonly dialect: 'sqlite' | 'mysql';
  /** Every row of a SELECT, as plain objects. */
  all<T>(text: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a SELECT, or undefined. */
  one<T>(text: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** An INSERT, UPDATE or DELETE. */
  run(text: string, params?: readonly SqlValue[]): Promise<RunResult>;
}

/** Sees every statement db.sql() runs, before it runs: for tests (the query-plan check) only. */
export type StatementHook = (text: string, params: readonly SqlValue[]) => void;

let statementHook: StatementHook | null = null;

/**
 * Sets (or, with null, clears) the statement hook. Statements run here bypass Sequelize's logging,
 * which is how the query-plan test sees the others; unset, it costs one null check per statement.
 */
export function setStatementHook(hook: StatementHook | null): void {
  statementHook = hook;
}

export interface MysqlConnection {
  query(text: string, params: unknown[], callback: (error: Error | null, result: unknown) => void): unknown;
}

interface ConnectionManager {
  getConnection(options?: Record<string, unknown>): Promise<unknown>;
  releaseConnection(connection: unknown): unknown;
  /** The driver module Sequelize loaded: sqlite3 on SQLite. */
  lib: unknown;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A date as Sequelize writes it, so rows written here and rows written through the models read
 * back alike: UTC text, with the offset Sequelize's SQLite dialect appends. MySQL drops the
 * milliseconds of a DATETIME column, as it does for Sequelize.
 */
export function sqlDate(date: Date, dialect: 'sqlite' | 'mysql'): string {
  const text = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`;
  return dialect === 'sqlite' ? `${text} +00:00` : text;
}

/** A DATETIME as either driver returns it (SQLite: Sequelize's text; MySQL: a Date) back to a Date. */
export function parseSqlDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value !== 'string') throw new TypeError(`Not a stored date: ${JSON.stringify(value)}`);
  // "2026-11-21 20:31:31.958 +00:00" (or without the offset, which means UTC here too).
  const iso = value.trim().replace(' ', 'T').replace(/ ?([+-]\d\d:\d\d)$/, '$1');
  const date = new Date(/(Z|[+-]\d\d:\d\d)$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(date.getTime())) throw new TypeError(`Not a stored date: ${JSON.stringify(value)}`);
  return date;
}

/** The drivers' errors that came out of db.sql(), so the error handler can tell them from other errors with the same codes. */
const driverErrors = new WeakSet<object>();

/** Whether `error` is a database driver's own error from a db.sql() statement (BEGIN and COMMIT included). */
export function isSqlDriverError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && driverErrors.has(error);
}

/** Tags `error` as the driver's own (db/sqlite-sync.ts tags better-sqlite3's here too). */
export function fromDriver(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) driverErrors.add(error);
  return error;
}

/** `params` as the driver binds them, after the statement hook has seen them. */
export function bindable(text: string, params: readonly SqlValue[], dialect: 'sqlite' | 'mysql'): unknown[] {
  // Every statement passes through here, so the hook sees them all.
  if (statementHook) statementHook(text, params);
  return params.map((value) => (value instanceof Date ? sqlDate(value, dialect) : value));
}

/** What the runner needs of the sqlite3 module: its Statement class, to prepare statements with. */
export interface SqliteDriver {
  Statement: StatementConstructor;
}

/**
 * Statements on the connection `connectionOf` gives, each from that connection's cache of prepared
 * statements (db/statement-cache.ts).
 */
export function sqliteSql(connectionOf: () => Promise<SqliteDatabase>, driver: SqliteDriver): Sql {
  const all = async <T>(text: string, params: readonly SqlValue[] = []): Promise<T[]> => {
    const connection = await connectionOf();
    return statementCacheOf(connection, driver.Statement).all<T>(text, bindable(text, params, 'sqlite')).catch((error: unknown) => {
      throw fromDriver(error);
    });
  };
  return {
    dialect: 'sqlite',
    all,
    one: async <T>(text: string, params?: readonly SqlValue[]) => (await all<T>(text, params))[0],
    run: async (text, params = []) => {
      const connection = await connectionOf();
      const { changes, lastID } = await statementCacheOf(connection, driver.Statement).run(text, bindable(text, params, 'sqlite')).catch((error: unknown) => {
        throw fromDriver(error);
      });
      return { changes, lastId: lastID };
    },
  };
}

export function mysqlSql(withConnection: <T>(use: (connection: MysqlConnection) => Promise<T>) => Promise<T>): Sql {
  const query = (text: string, params: readonly SqlValue[]) =>
    withConnection((connection) => new Promise<unknown>((resolve, reject) => {
      connection.query(text, bindable(text, params, 'mysql'), (error, result) => (error ? reject(fromDriver(error)) : resolve(result)));
    }));
  const all = async <T>(text: string, params: readonly SqlValue[] = []) => (await query(text, params)) as T[];
  return {
    dialect: 'mysql',
    all,
    one: async <T>(text: string, params?: readonly SqlValue[]) => (await all<T>(text, params))[0],
    run: async (text, params = []) => {
      const header = (await query(text, params)) as { affectedRows: number; insertId: number };
      return { changes: header.affectedRows, lastId: header.insertId };
    },
  };
}

/** The end of a locking read: MySQL row locks; SQLite's write transaction already holds the whole database. */
export function forUpdate(sql: Pick<Sql, 'dialect'>): string {
  return sql.dialect === 'mysql' ? ' FOR UPDATE' : '';
}

/** The runner for statements outside any transaction, per Sequelize instance, when it is not Sequelize's own connection. */
const plainReaders = new WeakMap<Sequelize, Sql>();

/**
 * Makes `reader` what sqlRunner(sequelize) without a transaction returns: on SQLite, better-sqlite3's
 * reader (db/sqlite-sync.ts), so code that knows only the models' Sequelize instance (catalog.ts's
 * getBook, the stamp and stock reads) gets it too. null goes back to Sequelize's connection.
 */
export function setPlainReader(sequelize: Sequelize, reader: Sql | null): void {
  if (reader) plainReaders.set(sequelize, reader);
  else plainReaders.delete(sequelize);
}

/**
 * A runner on `transaction`'s connection (a Sequelize transaction's statements must see and hold its
 * locks), or without one the plain reader set for `sequelize`, else a connection of Sequelize's.
 */
export function sqlRunner(sequelize: Sequelize, transaction?: Transaction | null): Sql {
  if (!transaction) {
    const reader = plainReaders.get(sequelize);
    if (reader) return reader;
  }
  const manager = sequelize.connectionManager as unknown as ConnectionManager;
  const held = transaction ? (transaction as unknown as { connection?: unknown }).connection : undefined;
  if (transaction && !held) throw new Error('The transaction has no connection yet.');
  if (sequelize.getDialect() === 'sqlite') {
    // Sequelize keeps SQLite's non-transaction connection open for the life of the process.
    return sqliteSql(async () => (held ?? (await manager.getConnection())) as SqliteDatabase, manager.lib as SqliteDriver);
  }
  return mysqlSql(async (use) => {
    if (held) return use(held as MysqlConnection);
    const connection = await manager.getConnection({ type: 'write' });
    try {
      return await use(connection as MysqlConnection);
    } finally {
      manager.releaseConnection(connection);
    }
  });
}
