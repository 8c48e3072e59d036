import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { connectDatabase, type Database } from '../db/connection';
import { createTestDatabase } from '../test/helpers';

export interface BenchDatabase {
  /** What the app's environment needs to find this database. */
  env: Record<string, string>;
  describe: string;
  /** Removes what the bench created (nothing for a database it was given). */
  cleanUp(): Promise<void>;
}

/**
 * A fresh SQLite file in a temp dir, a fresh MySQL schema on the server of TEST_MYSQL_URL (the
 * test server's user may create epicbook_test_* schemas), or a database the caller names and keeps.
 */
export async function benchDatabase(options: { dialect: 'sqlite' | 'mysql'; file?: string }): Promise<BenchDatabase> {
  if (options.dialect === 'sqlite') {
    if (options.file) {
      const file = path.resolve(options.file);
      return { env: { SQLITE_FILE: file }, describe: `SQLite ${file} (kept)`, cleanUp: async () => {} };
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'epicbook-bench-db-'));
    const file = path.join(dir, 'store.sqlite');
    return { env: { SQLITE_FILE: file }, describe: `SQLite, fresh file`, cleanUp: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const given = process.env.BENCH_MYSQL_URL;
  if (given) {
    const url = new URL(given);
    return { env: { DATABASE_URL: given }, describe: `MySQL ${url.host}${url.pathname} (kept)`, cleanUp: async () => {} };
  }
  if (!process.env.TEST_MYSQL_URL) {
    throw new Error('--database mysql needs BENCH_MYSQL_URL (a database the bench may fill) or TEST_MYSQL_URL '
      + '(eval "$(scripts/mariadb-test-server.sh start)"), where it makes a fresh schema of its own');
  }
  const created = await createTestDatabase('mysql');
  return { env: created.env, describe: `MySQL, fresh schema ${created.name}`, cleanUp: () => created.drop() };
}

/** The bench's own connection, to set stock up before the run and check it after. */
export async function openDirect(env: Record<string, string>): Promise<Database> {
  const config = loadConfig({}, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  return connectDatabase(config, createLogger(config));
}

/** Listed books the cart and checkout scenarios buy: the first few by id. */
export async function benchBooks(db: Database, count: number): Promise<number[]> {
  const rows = await db.sequelize.query<{ id: number }>(
    'SELECT id FROM Books WHERE removedAt IS NULL ORDER BY id LIMIT :count',
    { type: QueryTypes.SELECT, replacements: { count } },
  );
  return rows.map((r) => Number(r.id));
}

/** Enough stock that no scenario can run a book out, whatever the duration. */
export async function stockUp(db: Database, ids: number[], inventory: number): Promise<void> {
  await db.sequelize.query('UPDATE Books SET inventory = :inventory WHERE id IN (:ids)', { replacements: { inventory, ids } });
}

export async function stockOf(db: Database, ids: number[]): Promise<number> {
  const [row] = await db.sequelize.query<{ total: number | string }>(
    'SELECT SUM(inventory) AS total FROM Books WHERE id IN (:ids)',
    { type: QueryTypes.SELECT, replacements: { ids } },
  );
  return Number(row.total);
}

/** Orders with this shipping email, and the copies they took. */
export async function ordersPlaced(db: Database, email: string): Promise<{ orders: number; units: number }> {
  const [row] = await db.sequelize.query<{ orders: number | string; units: number | string | null }>(
    `SELECT COUNT(DISTINCT c.id) AS orders, SUM(cb.quantity) AS units
       FROM Checkouts c JOIN Cartbooks cb ON cb.CartId = c.CartId WHERE c.email = :email`,
    { type: QueryTypes.SELECT, replacements: { email } },
  );
  return { orders: Number(row.orders), units: Number(row.units ?? 0) };
}
