import { Sequelize, Transaction } from 'sequelize';
import { Mutex } from 'async-mutex';
import type { Config, DatabaseConfig } from '../config';
import type { Logger } from '../logger';
import { initModels } from '../models';
import type { Database as SqliteDatabase } from 'sqlite3';
import { mysqlSql, setPlainReader, sqliteSql, sqlRunner, type MysqlConnection, type Sql, type SqliteDriver } from './sql';
import { inTransaction } from './sql-transaction';
import { openSyncSqlite, type SyncSqlite } from './sqlite-sync';
import { sharesOneSqlite } from './sqlite-library';

const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * WAL with synchronous=NORMAL: a commit is appended to the WAL without an fsync, which happens at
 * checkpoints instead. With FULL every cart change, session save and order waited for an fsync
 * while holding the single write lock, and that wait capped the store at a few dozen orders a
 * second. In WAL mode NORMAL cannot corrupt the database; an app crash loses nothing (the WAL is
 * in the OS's cache); only a power cut or kernel crash may lose the last commits before the next
 * checkpoint. For a bookstore (orders also confirmed by email and payment records elsewhere) that
 * trade is right (README, "SQLite durability"); going back to FULL is this one constant. The
 * pragma is per connection, so every connection gets it before its first statement.
 */
export const SQLITE_SYNCHRONOUS = 'NORMAL';

export interface Database {
  sequelize: Sequelize;
  dialect: 'sqlite' | 'mysql';
  /**
   * Runs `work` in a transaction that may write. On SQLite the write lock is taken up front
   * (BEGIN IMMEDIATE) and writers in this process queue on a mutex: sqlite3 runs statements on
   * libuv's small thread pool, and several transactions blocked on the file lock could occupy every
   * thread while the one holding the lock waits for a thread to finish. On MySQL, callers lock the
   * rows they change (SELECT ... FOR UPDATE).
   */
  writeTransaction<T>(work: (t: Transaction) => Promise<T>): Promise<T>;
  /**
   * writeTransaction for work that is all plain SQL (db/sql-transaction.ts): BEGIN and COMMIT are
   * plain statements instead of Sequelize's transaction machinery. On SQLite it queues on the same
   * writers' mutex, and runs on better-sqlite3's writer connection (db/sqlite-sync.ts; BEGIN
   * IMMEDIATE retried while another process holds the lock, up to the same busy timeout), or, where
   * that driver cannot be used, on the writer connection Sequelize's transactions share. On MySQL a
   * pooled connection at READ COMMITTED, retried on a deadlock. `work` must run its statements on
   * the runner it is given, and must not start another write transaction (the mutex is not
   * re-entrant: that would wait for itself).
   */
  sqlWriteTransaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** Plain SQL for the hot paths (see db/sql.ts), on `transaction`'s connection when given. */
  sql(transaction?: Transaction | null): Sql;
  /** Runs `hook` when close() is called, before the connections close (timers that query stop first). */
  onClose(hook: () => void): void;
  close(): Promise<void>;
}

type SqliteCallback = (error: Error | null, rows?: unknown) => void;
type SqliteConnection = {
  configure(option: 'busyTimeout', ms: number): void;
  open: boolean;
  uuid?: string;
  close(callback?: (error: Error | null) => void): void;
  all(sql: string, ...rest: unknown[]): unknown;
  run(sql: string, ...rest: unknown[]): unknown;
  exec(sql: string, ...rest: unknown[]): unknown;
  epicbookTuned?: Promise<void>;
};

const TABLE_INFO = /^PRAGMA table_info\(/;
const SCHEMA_CHANGE = /^\s*(CREATE|ALTER|DROP)\s/i;

/**
 * Sequelize's SQLite dialect asks `PRAGMA table_info` of every table in a SELECT, before every
 * SELECT, to learn the column types it parses values with: two extra statements for a book with its
 * author. The answers change only when the schema does, so each process keeps them, and forgets
 * them all whenever one of its connections runs CREATE, ALTER or DROP (migrations). Other processes
 * migrating the same file run newer code with its own cache; the columns this code reads keep their types.
 */
function cacheTableInfo(connection: SqliteConnection, cache: Map<string, unknown>): void {
  const { all, run, exec } = connection;
  const watch = (sql: unknown) => {
    if (typeof sql === 'string' && SCHEMA_CHANGE.test(sql)) cache.clear();
  };
  connection.all = function (this: SqliteConnection, sql: string, ...rest: unknown[]) {
    const callback = rest[rest.length - 1];
    if (TABLE_INFO.test(sql) && rest.length === 1 && typeof callback === 'function') {
      const done = callback as SqliteCallback;
      if (cache.has(sql)) {
        process.nextTick(done, null, cache.get(sql));
        return this;
      }
      return all.call(this, sql, (error: Error | null, rows?: unknown) => {
        if (!error) cache.set(sql, rows);
        done(error, rows);
      });
    }
    watch(sql);
    return all.call(this, sql, ...rest);
  };
  connection.run = function (this: SqliteConnection, sql: string, ...rest: unknown[]) {
    watch(sql);
    return run.call(this, sql, ...rest);
  };
  connection.exec = function (this: SqliteConnection, sql: string, ...rest: unknown[]) {
    watch(sql);
    return exec.call(this, sql, ...rest);
  };
}
type ConnectionOptions = { uuid?: string } | undefined;

/** The writer connection for sqlWriteTransaction, taken and given back like a Sequelize transaction's. */
interface SqliteWriter {
  acquire(): Promise<SqliteConnection>;
  /** `clean` false: a ROLLBACK failed, so the connection may still be inside a transaction; it is closed, not reused. */
  release(connection: SqliteConnection, clean: boolean): void;
}

/**
 * Sequelize opens a new sqlite3 connection for every transaction and closes it afterwards, which
 * costs an open, a schema read and a PRAGMA per cart change or order. writeTransaction and
 * sqlWriteTransaction run one transaction at a time per process (one mutex for both), so
 * transactions share one long-lived writer connection instead (a second transaction asking while
 * it is in use, which the mutex never lets happen, would still get a connection of its own).
 * Sequelize offers no hook for this, so we wrap getConnection and releaseConnection; every
 * connection also gets a busy timeout (several PM2 workers may share the file) and the column-type
 * cache above.
 */
function tuneSqliteConnections(sequelize: Sequelize): SqliteWriter {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: ConnectionOptions): Promise<SqliteConnection>;
    releaseConnection(connection: SqliteConnection, force?: boolean): void;
    connections: Record<string, SqliteConnection>;
  };
  const getConnection = manager.getConnection.bind(manager);
  const releaseConnection = manager.releaseConnection.bind(manager);
  let writer: SqliteConnection | null = null;
  let writerInUse = false;
  const tableInfo = new Map<string, unknown>();
  const tuned = async (connection: SqliteConnection) => {
    if (!connection.epicbookTuned) {
      connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
      cacheTableInfo(connection, tableInfo);
      connection.epicbookTuned = new Promise<void>((resolve, reject) => {
        connection.exec(`PRAGMA synchronous = ${SQLITE_SYNCHRONOUS}`, (error: Error | null) => (error ? reject(error) : resolve()));
      });
    }
    // Every caller waits for the pragma, so no statement runs on a connection before it is set.
    await connection.epicbookTuned;
    return connection;
  };
  manager.getConnection = async (options?: ConnectionOptions) => {
    const forTransaction = options?.uuid !== undefined && options.uuid !== 'default';
    if (!forTransaction || writerInUse) return tuned(await getConnection(options));
    writerInUse = true;
    try {
      if (!writer?.open) writer = await tuned(await getConnection({ ...options, uuid: 'writer' }));
    } catch (error) {
      writerInUse = false;
      throw error;
    }
    return writer;
  };
  manager.releaseConnection = (connection, force) => {
    if (connection === writer) {
      writerInUse = false;
      return;
    }
    releaseConnection(connection, force);
  };
  let plainTransactions = 0;
  return {
    acquire: async () => {
      // A key of its own, as a Sequelize transaction has: the writer when it is free, which the
      // writers' mutex makes sure of, else (a transaction started behind the mutex's back) a new connection.
      const uuid = `sql-write-${(plainTransactions += 1)}`;
      const connection = await manager.getConnection({ uuid });
      // Sequelize closes a released connection only when it carries its key.
      if (connection !== writer) connection.uuid = uuid;
      return connection;
    },
    release: (connection, clean) => {
      if (clean) {
        manager.releaseConnection(connection);
        return;
      }
      if (connection === writer) {
        writer = null;
        writerInUse = false;
        delete manager.connections.writer;
        // Closing ends whatever transaction the connection was left in.
        connection.close();
      } else {
        releaseConnection(connection, true);
      }
    },
  };
}

export async function connectDatabase(config: Pick<Config, 'database' | 'logSql'>, logger: Logger): Promise<Database> {
  const logging = config.logSql ? (sql: string) => logger.debug({ sql }, 'sql') : false;
  let sequelize: Sequelize;
  let sqliteWriter: SqliteWriter | null = null;
  if (config.database.dialect === 'sqlite') {
    sequelize = new Sequelize({
      dialect: 'sqlite',
      storage: config.database.storage,
      logging,
      transactionType: Transaction.TYPES.IMMEDIATE,
    });
    sqliteWriter = tuneSqliteConnections(sequelize);
  } else {
    const mysql = config.database;
    sequelize = new Sequelize({
      dialect: 'mysql',
      host: mysql.host,
      port: mysql.port,
      username: mysql.user,
      password: mysql.password,
      database: mysql.database,
      logging,
      pool: { max: mysql.pool.max, min: mysql.pool.min, acquire: mysql.pool.acquireMs, idle: mysql.pool.idleMs },
      dialectOptions: { connectTimeout: mysql.connectTimeoutMs, charset: 'utf8mb4' },
      define: { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
    });
  }
  initModels(sequelize);
  await sequelize.authenticate();

  const dialect = config.database.dialect;
  if (dialect === 'sqlite' && config.database.storage !== ':memory:') {
    // WAL lets readers carry on while one writer commits.
    await sequelize.query('PRAGMA journal_mode = WAL');
  }

  // db.sql() and db.sqlWriteTransaction on a SQLite file run on better-sqlite3 (db/sqlite-sync.ts
  // says why), but only where both drivers share one SQLite library (db/sqlite-library.ts): two
  // copies in one process do not see each other's locks. A :memory: database is one per
  // connection, so there everything stays on Sequelize's connection.
  let sync: SyncSqlite | null = null;
  if (config.database.dialect === 'sqlite' && config.database.storage !== ':memory:') {
    if (await sharesOneSqlite((sequelize.connectionManager as unknown as { lib: Parameters<typeof sharesOneSqlite>[0] }).lib)) {
      sync = openSyncSqlite(config.database.storage, { synchronous: SQLITE_SYNCHRONOUS, busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS });
      setPlainReader(sequelize, sync.reader);
    } else {
      logger.warn('better-sqlite3 is missing or does not share one SQLite library with sqlite3, so plain SQL stays on sqlite3 (slower): install as README says');
    }
  }

  const writers = new Mutex();
  const closeHooks: Array<() => void> = [];
  const database: Database = {
    sequelize,
    dialect,
    writeTransaction: (work) =>
      dialect === 'sqlite'
        ? writers.runExclusive(() => sequelize.transaction(work))
        // READ COMMITTED: InnoDB then takes no gap locks, so two shoppers creating their first carts
        // at once cannot deadlock on the empty index range they both looked at. Every rule we keep
        // rests on row locks (FOR UPDATE on rows that exist) and guarded updates, not on gap locks.
        : retryOnDeadlock(() => sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED }, work)),
    sqlWriteTransaction: (work) =>
      sync
        ? writers.runExclusive(() => sync!.writeTransaction(work))
        : sqliteWriter
          ? writers.runExclusive(() => sqliteWriteTransaction(sequelize, sqliteWriter!, work))
          : retryOnDeadlock(() => mysqlWriteTransaction(sequelize, work)),
    sql: (transaction) => sqlRunner(sequelize, transaction),
    onClose: (hook) => {
      closeHooks.push(hook);
    },
    close: () => {
      for (const hook of closeHooks.splice(0)) hook();
      if (sync) {
        setPlainReader(sequelize, null);
        sync.close();
      }
      return sequelize.close();
    },
  };
  if (sync) syncDrivers.set(database, sync);
  return database;
}

const syncDrivers = new WeakMap<Database, SyncSqlite>();

/** The better-sqlite3 connections under `db`'s plain SQL, when it has them (for tests). */
export function syncSqliteOf(db: Database): SyncSqlite | undefined {
  return syncDrivers.get(db);
}

async function sqliteWriteTransaction<T>(sequelize: Sequelize, writer: SqliteWriter, work: (sql: Sql) => Promise<T>): Promise<T> {
  const connection = await writer.acquire();
  const driver = (sequelize.connectionManager as unknown as { lib: SqliteDriver }).lib;
  const sql = sqliteSql(async () => connection as unknown as SqliteDatabase, driver);
  // IMMEDIATE takes the write lock up front, as Sequelize's transactions here do (transactionType).
  return inTransaction(sql, 'BEGIN IMMEDIATE', work, (clean) => writer.release(connection, clean));
}

async function mysqlWriteTransaction<T>(sequelize: Sequelize, work: (sql: Sql) => Promise<T>): Promise<T> {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: { type: string }): Promise<MysqlConnection>;
    releaseConnection(connection: MysqlConnection): void;
    destroyConnection(connection: MysqlConnection): Promise<void>;
  };
  const connection = await manager.getConnection({ type: 'write' });
  const sql = mysqlSql(async (use) => use(connection));
  try {
    // For the next transaction only, as writeTransaction's (see there for why READ COMMITTED).
    await sql.run('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
  } catch (error) {
    manager.releaseConnection(connection);
    throw error;
  }
  return inTransaction(sql, 'START TRANSACTION', work, (clean) => {
    if (clean) manager.releaseConnection(connection);
    else void manager.destroyConnection(connection).catch(() => {});
  });
}

const DEADLOCK_RETRIES = 5;

/**
 * InnoDB may pick a transaction as a deadlock victim and roll it back whole; running it again is
 * the documented remedy and safe, because nothing of it was kept.
 */
async function retryOnDeadlock<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      // Sequelize's errors carry the driver's as `parent`; plain SQL's are the driver's own.
      const code = (error as { parent?: { code?: string } }).parent?.code ?? (error as { code?: string }).code;
      if (attempt >= DEADLOCK_RETRIES || code !== 'ER_LOCK_DEADLOCK') throw error;
      // A short random pause, so the two transactions that met do not meet again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** Where the database is, for messages: never the password. */
export function describeDatabase(database: DatabaseConfig): string {
  if (database.dialect === 'sqlite') return `SQLite file ${database.storage}`;
  return `MySQL at ${database.host}:${database.port}/${database.database} as ${database.user}`;
}

/** The first line of what went wrong, with the driver's error code when it has one. */
export function describeCause(error: unknown): string {
  const e = error as { parent?: { code?: string; message?: string }; original?: { code?: string }; message?: string };
  const code = e.parent?.code ?? e.original?.code;
  const message = (e.parent?.message || e.message || String(error)).split('\n')[0];
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
