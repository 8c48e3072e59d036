import { Sequelize, Transaction } from 'sequelize';
import { Mutex } from 'async-mutex';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { initModels } from '../models';

const SQLITE_BUSY_TIMEOUT_MS = 5000;

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
  close(): Promise<void>;
}

type SqliteConnection = { configure(option: 'busyTimeout', ms: number): void; epicbookTuned?: boolean };

/**
 * Sequelize opens one sqlite3 connection per transaction and offers no hook for it, so we wrap
 * getConnection to give every new connection a busy timeout (several PM2 workers may share the file).
 */
function tuneSqliteConnections(sequelize: Sequelize): void {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: unknown): Promise<SqliteConnection>;
  };
  const getConnection = manager.getConnection.bind(manager);
  manager.getConnection = async (options?: unknown) => {
    const connection = await getConnection(options);
    if (!connection.epicbookTuned) {
      connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
      connection.epicbookTuned = true;
    }
    return connection;
  };
}

export async function connectDatabase(config: Pick<Config, 'database' | 'logSql'>, logger: Logger): Promise<Database> {
  const logging = config.logSql ? (sql: string) => logger.debug({ sql }, 'sql') : false;
  let sequelize: Sequelize;
  if (config.database.dialect === 'sqlite') {
    sequelize = new Sequelize({
      dialect: 'sqlite',
      storage: config.database.storage,
      logging,
      transactionType: Transaction.TYPES.IMMEDIATE,
    });
    tuneSqliteConnections(sequelize);
  } else {
    sequelize = new Sequelize(config.database.url, {
      dialect: 'mysql',
      logging,
      pool: { max: 10, min: 0, idle: 10_000, acquire: 10_000 },
    });
  }
  initModels(sequelize);
  await sequelize.authenticate();

  const dialect = config.database.dialect;
  if (dialect === 'sqlite' && config.database.storage !== ':memory:') {
    // WAL lets readers carry on while one writer commits.
    await sequelize.query('PRAGMA journal_mode = WAL');
  }

  const writers = new Mutex();
  return {
    sequelize,
    dialect,
    writeTransaction: (work) =>
      dialect === 'sqlite'
        ? writers.runExclusive(() => sequelize.transaction(work))
        : sequelize.transaction(work),
    close: () => sequelize.close(),
  };
}
