/**
 * db.sql() and db.sqlWriteTransaction on a SQLite file, through better-sqlite3 (db/sqlite-sync.ts),
 * against the sqlite3 path that a Sequelize transaction's plain SQL still takes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sqlite3 from 'sqlite3';
import { connectDatabase, syncSqliteOf } from '../../db/connection';
import { createLogger } from '../../logger';
import { isSqlDriverError, type Sql } from '../../db/sql';
import { forgetSqliteProbe, sharesOneSqlite } from '../../db/sqlite-library';
import { PAGE_CACHE_KIB } from '../../db/sqlite-sync';
import { startTestApp, testDialect, type TestApp } from '../helpers';

const skip = testDialect !== 'sqlite' && 'better-sqlite3 runs SQLite only';

let t: TestApp;
before(async () => {
  if (testDialect === 'sqlite') t = await startTestApp();
});
after(() => t?.close());

const inventoryOf = async (id: number) => (await t.db.sql().one<{ inventory: number }>('SELECT inventory FROM Books WHERE id = ?', [id]))!.inventory;

/** `use` with a runner on a Sequelize transaction's sqlite3 connection (rolled back afterwards). */
async function onSqlite3<T>(use: (sql: Sql) => Promise<T>): Promise<T> {
  let result!: T;
  await assert.rejects(t.db.writeTransaction(async (transaction) => {
    result = await use(t.db.sql(transaction));
    throw new Error('roll back');
  }), /roll back/);
  return result;
}

/** Another process's connection to the store's file (sqlite3, so on its own connection). */
async function otherConnection() {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened = new sqlite3.Database(t.config.database.dialect === 'sqlite' ? t.config.database.storage : '', (error) => (error ? reject(error) : resolve(opened)));
  });
  return {
    run: (text: string) => new Promise<void>((resolve, reject) => db.run(text, (error) => (error ? reject(error) : resolve()))),
    close: () => new Promise<void>((resolve) => db.close(() => resolve())),
  };
}

/**
 * A test of the better-sqlite3 path, skipped where this install has none (a plain `npm install`,
 * whose drivers each bring their own SQLite; CI installs as README says, and checks that below).
 */
function syncTest(name: string, body: () => Promise<void>) {
  test(name, async (context) => {
    if (!syncSqliteOf(t.db)) {
      context.skip('better-sqlite3 is missing or has its own SQLite here');
      return;
    }
    await body();
  });
}

describe('plain SQL on better-sqlite3', { skip }, () => {
  test('CI\'s install shares one SQLite library between the drivers, so db.sql() runs on better-sqlite3', { skip: process.env.CI !== 'true' && 'outside CI the install may differ' }, async () => {
    assert.equal(await sharesOneSqlite(sqlite3), true, 'scripts/system-sqlite/install.sh links better-sqlite3 to the system\'s libsqlite3');
    assert.ok(syncSqliteOf(t.db));
  });

  syncTest('rows read back exactly as through sqlite3: numbers, DECIMAL prices, dates as stored text, NULLs', async () => {
    await t.db.sql().run("UPDATE Books SET removedAt = NULL, updatedAt = '2026-01-02 03:04:05.678 +00:00' WHERE id = 2");
    const texts = [
      'SELECT * FROM Books WHERE id IN (?, ?, ?) ORDER BY id',
      'SELECT b.id, b.price, b.price * 2 AS doubled, a.firstName, a.lastName, b.removedAt FROM Books b LEFT JOIN Authors a ON a.id = b.AuthorId WHERE b.id <= ? ORDER BY b.id',
      'SELECT name, version FROM CacheStamps ORDER BY name',
      'SELECT COUNT(*) AS n, SUM(price) AS total, MAX(updatedAt) AS newest FROM Books WHERE id > ?',
    ];
    for (const text of texts) {
      const params = text.includes('IN (?') ? [1, 2, 3] : text.includes('?') ? [5] : [];
      const viaSqlite3 = await onSqlite3((sql) => sql.all(text, params));
      assert.deepEqual(await t.db.sql().all(text, params), viaSqlite3, text);
      assert.deepEqual(await t.db.sql().one(text, params), viaSqlite3[0], text);
    }
    assert.equal(await t.db.sql().one('SELECT id FROM Books WHERE id = ?', [-1]), undefined);
  });

  syncTest('binds what sqlite3 bound: booleans as 1/0, dates as Sequelize writes them', async () => {
    const row = await t.db.sql().one<{ yes: number; no: number; at: string }>('SELECT ? AS yes, ? AS no, ? AS at', [true as never, false as never, new Date('2026-11-21T20:31:31.958Z')]);
    assert.deepEqual({ ...row }, { yes: 1, no: 0, at: '2026-11-21 20:31:31.958 +00:00' });
  });

  syncTest('a write through all() runs and answers no rows, as sqlite3 did; run() reports changes and the new id', async () => {
    const before = await inventoryOf(3);
    assert.deepEqual(await t.db.sql().all('UPDATE Books SET inventory = inventory + 1 WHERE id = ?', [3]), []);
    assert.equal(await inventoryOf(3), before + 1);
    const result = await t.db.sql().run('UPDATE Books SET inventory = inventory - 1 WHERE id = ?', [3]);
    assert.deepEqual(result, { changes: 1, lastId: result.lastId });
    const created = await t.db.sql().run("INSERT INTO CacheStamps (name, version) VALUES ('sync-test', 1)");
    assert.equal(created.changes, 1);
    assert.equal((await t.db.sql().one<{ rowid: number }>("SELECT rowid FROM CacheStamps WHERE name = 'sync-test'"))!.rowid, created.lastId);
    await t.db.sql().run("DELETE FROM CacheStamps WHERE name = 'sync-test'");
  });

  syncTest('errors are the driver\'s, tagged, with the codes and messages sqlite3 gave', async () => {
    for (const [text, params] of [
      ['SELECT nope FROM Books', []],
      ['INSERT INTO CacheStamps (name, version) VALUES (?, 1)', ['catalog']],
      ['UPDATE Books SET AuthorId = ? WHERE id = 1', [999999]],
    ] as const) {
      const viaSqlite3 = await onSqlite3((sql) => sql.run(text, [...params]).then(() => null, (error: unknown) => error as { code: string; message: string }));
      assert.ok(viaSqlite3, `${text} fails through sqlite3 too`);
      await assert.rejects(t.db.sql().run(text, [...params]), (error: { code?: string; message?: string }) => {
        assert.ok(isSqlDriverError(error));
        assert.equal(error.code, viaSqlite3.code);
        assert.equal(error.message, viaSqlite3.message);
        return true;
      });
    }
    // The statement that failed is not kept broken: the runner goes on.
    assert.equal(typeof (await inventoryOf(1)), 'number');
  });

  syncTest('a read answers in the check phase, a write transaction\'s statements at once', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate queued before the read'));
    await t.db.sql().one('SELECT id FROM Books WHERE id = ?', [1]);
    order.push('read answered');
    assert.deepEqual(order, ['immediate queued before the read', 'read answered']);
    const inside: string[] = [];
    await t.db.sqlWriteTransaction(async (sql) => {
      setImmediate(() => inside.push('immediate'));
      await sql.one('SELECT id FROM Books WHERE id = ?', [1]);
      await sql.run('UPDATE Books SET inventory = inventory WHERE id = ?', [1]);
      inside.push('statements done');
    });
    assert.deepEqual(inside, ['statements done'], 'BEGIN to COMMIT without the event loop turning');
  });

  syncTest('a read outside the write transaction never sees its uncommitted rows', async () => {
    const before = await inventoryOf(4);
    const seen = await t.db.sqlWriteTransaction(async (sql) => {
      await sql.run('UPDATE Books SET inventory = inventory + 5 WHERE id = ?', [4]);
      const inside = (await sql.one<{ inventory: number }>('SELECT inventory FROM Books WHERE id = ?', [4]))!.inventory;
      return { inside, outside: await inventoryOf(4) };
    });
    assert.deepEqual(seen, { inside: before + 5, outside: before });
    assert.equal(await inventoryOf(4), before + 5);
    await t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory - 5 WHERE id = ?', [4]));
  });

  syncTest('while another connection holds the write lock, BEGIN IMMEDIATE waits without blocking the event loop', async () => {
    const other = await otherConnection();
    await other.run('BEGIN IMMEDIATE');
    const before = await inventoryOf(6);
    let ticks = 0;
    const ticker = setInterval(() => {
      ticks += 1;
    }, 5);
    try {
      const waiting = t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory + 1 WHERE id = ?', [6]));
      setTimeout(() => void other.run('COMMIT'), 150);
      await waiting;
    } finally {
      clearInterval(ticker);
      await other.close();
    }
    assert.equal(await inventoryOf(6), before + 1);
    assert.ok(ticks > 3, `timers ran while the transaction waited for the lock (${ticks})`);
  });

  syncTest('gives up with a tagged SQLITE_BUSY once the budget is spent, and the next transaction goes through', async () => {
    const other = await otherConnection();
    await other.run('BEGIN IMMEDIATE');
    syncSqliteOf(t.db)!.setBusyTimeout(40);
    try {
      await assert.rejects(t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory WHERE id = ?', [6])), (error: { code?: string }) => {
        assert.equal(error.code, 'SQLITE_BUSY');
        assert.ok(isSqlDriverError(error));
        return true;
      });
    } finally {
      syncSqliteOf(t.db)!.setBusyTimeout(5000);
      await other.run('COMMIT');
      await other.close();
    }
    await t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory WHERE id = ?', [6]));
  });

  syncTest('both connections run with foreign keys on, as Sequelize\'s do', async () => {
    assert.equal((await t.db.sql().one<{ foreign_keys: number }>('PRAGMA foreign_keys'))!.foreign_keys, 1);
    const inside = await t.db.sqlWriteTransaction((sql) => sql.one<{ foreign_keys: number }>('PRAGMA foreign_keys'));
    assert.equal(inside!.foreign_keys, 1);
  });

  syncTest('both connections keep a small page cache; Sequelize\'s sqlite3 connections keep SQLite\'s default', async () => {
    assert.equal((await t.db.sql().one<{ cache_size: number }>('PRAGMA cache_size'))!.cache_size, -PAGE_CACHE_KIB);
    const inside = await t.db.sqlWriteTransaction((sql) => sql.one<{ cache_size: number }>('PRAGMA cache_size'));
    assert.equal(inside!.cache_size, -PAGE_CACHE_KIB);
    assert.ok(PAGE_CACHE_KIB > 0 && PAGE_CACHE_KIB < 2000);
    assert.equal((await onSqlite3((sql) => sql.one<{ cache_size: number }>('PRAGMA cache_size')))!.cache_size, -2000);
  });
});

describe('the probe for one SQLite library', { skip }, () => {
  syncTest('says no when the sqlite3 side holds no lock better-sqlite3 can see', async () => {
    // A stand-in for sqlite3 whose connection takes no lock: what a second copy of SQLite looks like from here.
    class NoLocks {
      constructor(_file: string, callback: (error: Error | null) => void) {
        setImmediate(callback, null);
      }
      exec(_text: string, callback: (error: Error | null) => void) {
        setImmediate(callback, null);
      }
      close(callback: (error: Error | null) => void) {
        setImmediate(callback, null);
      }
    }
    forgetSqliteProbe();
    try {
      assert.equal(await sharesOneSqlite({ Database: NoLocks }), false);
    } finally {
      forgetSqliteProbe();
    }
    assert.equal(await sharesOneSqlite(sqlite3), true);
  });

  syncTest('says no, rather than failing the start, when the probe itself cannot run', async () => {
    class CannotOpen {
      constructor(_file: string, callback: (error: Error | null) => void) {
        setImmediate(callback, Object.assign(new Error('SQLITE_CANTOPEN: unable to open database file'), { code: 'SQLITE_CANTOPEN' }));
      }
    }
    forgetSqliteProbe();
    try {
      assert.equal(await sharesOneSqlite({ Database: CannotOpen } as never), false);
    } finally {
      forgetSqliteProbe();
    }
  });
});

describe('closing', { skip }, () => {
  syncTest('db.close() closes the better-sqlite3 connections; their statements then fail instead of running', async () => {
    const own = await startTestApp();
    await own.db.sql().one('SELECT id FROM Books WHERE id = ?', [1]);
    await own.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory WHERE id = ?', [1]));
    const sync = syncSqliteOf(own.db)!;
    const reader = sync.reader;
    await own.close();
    await assert.rejects(reader.one('SELECT id FROM Books WHERE id = ?', [1]), /not open/);
    await assert.rejects(sync.writeTransaction(async () => undefined), /not open/);
  });
});

describe(':memory:', { skip }, () => {
  test('a database per connection, so everything stays on Sequelize\'s one connection there', async () => {
    const db = await connectDatabase({ database: { dialect: 'sqlite', storage: ':memory:' }, logSql: false }, createLogger({ ...t.config, logLevel: 'silent' }));
    try {
      assert.equal(syncSqliteOf(db), undefined);
      await db.sqlWriteTransaction(async (sql) => {
        await sql.run('CREATE TABLE kept (v INTEGER)');
        await sql.run('INSERT INTO kept (v) VALUES (?)', [7]);
      });
      assert.deepEqual((await db.sql().all<{ v: number }>('SELECT v FROM kept')).map((row) => row.v), [7]);
    } finally {
      await db.close();
    }
  });
});
