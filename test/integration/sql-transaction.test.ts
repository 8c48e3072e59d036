import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sqlite3 from 'sqlite3';
import { syncSqliteOf } from '../../db/connection';
import { isSqlDriverError, setStatementHook } from '../../db/sql';
import { TransactionEndedError, UnawaitedStatementError } from '../../db/sql-transaction';
import { startTestApp, testDialect, type TestApp } from '../helpers';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const inventoryOf = async (id: number) => (await t.db.sql().one<{ inventory: number }>('SELECT inventory FROM Books WHERE id = ?', [id]))!.inventory;

/** The statements db.sql() ran while `work` ran, transaction control included. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  setStatementHook((text) => seen.push(text.split(/\s+/).slice(0, 2).join(' ')));
  try {
    await work();
  } catch {
    // The caller asserts on the outcome itself.
  } finally {
    setStatementHook(null);
  }
  return seen;
}

const begins = testDialect === 'sqlite' ? ['BEGIN IMMEDIATE'] : ['SET TRANSACTION', 'START TRANSACTION'];

describe('db.sqlWriteTransaction', () => {
  test('commits the work and resolves to its result', async () => {
    const before = await inventoryOf(1);
    let result: unknown;
    const statements = await statementsOf(async () => {
      result = await t.db.sqlWriteTransaction(async (sql) => {
        await sql.run('UPDATE Books SET inventory = inventory + 2 WHERE id = ?', [1]);
        return (await sql.one<{ inventory: number }>('SELECT inventory FROM Books WHERE id = ?', [1]))!.inventory;
      });
    });
    assert.equal(result, before + 2, 'the work sees its own write');
    assert.equal(await inventoryOf(1), before + 2);
    assert.deepEqual(statements, [...begins, 'UPDATE Books', 'SELECT inventory', 'COMMIT']);
  });

  test('rolls back when the work throws, and the caller gets that very error', async () => {
    const before = await inventoryOf(2);
    const failure = new Error('changed my mind');
    let caught: unknown;
    const statements = await statementsOf(async () => {
      try {
        await t.db.sqlWriteTransaction(async (sql) => {
          await sql.run('UPDATE Books SET inventory = inventory + 5 WHERE id = ?', [2]);
          throw failure;
        });
      } catch (error) {
        caught = error;
      }
    });
    assert.equal(caught, failure);
    assert.equal(await inventoryOf(2), before);
    assert.deepEqual(statements, [...begins, 'UPDATE Books', 'ROLLBACK']);
  });

  test('rolls back when a statement fails, with the driver error', async () => {
    const before = await inventoryOf(3);
    await assert.rejects(
      t.db.sqlWriteTransaction(async (sql) => {
        await sql.run('UPDATE Books SET inventory = inventory + 5 WHERE id = ?', [3]);
        await sql.run('UPDATE Books SET nope = 1 WHERE id = ?', [3]);
      }),
      /nope/,
    );
    assert.equal(await inventoryOf(3), before);
    // The connection was left clean: the next transaction commits as usual.
    await t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory + 1 WHERE id = ?', [3]));
    assert.equal(await inventoryOf(3), before + 1);
  });

  test('a COMMIT that fails is rolled back and its error surfaces', async () => {
    const before = await inventoryOf(4);
    // Simulated on both databases: the hook sees COMMIT just before it would run.
    setStatementHook((text) => {
      if (text === 'COMMIT') throw new Error('the commit failed');
    });
    try {
      await assert.rejects(
        t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory + 7 WHERE id = ?', [4])),
        /the commit failed/,
      );
    } finally {
      setStatementHook(null);
    }
    assert.equal(await inventoryOf(4), before, 'the UPDATE went with the rollback');
  });

  test('a real COMMIT refused by SQLite (a deferred foreign key) is rolled back', { skip: testDialect !== 'sqlite' && 'deferred foreign keys are SQLite\'s' }, async () => {
    const carts = async () => (await t.db.sql().one<{ n: number }>('SELECT COUNT(*) AS n FROM Cartbooks'))!.n;
    const lines = await carts();
    const now = new Date();
    await assert.rejects(
      t.db.sqlWriteTransaction(async (sql) => {
        await sql.run('PRAGMA defer_foreign_keys = ON');
        await sql.run(
          'INSERT INTO Cartbooks (CartId, BookId, quantity, unitPrice, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)',
          [987654, 1, 1, '1.00', now, now],
        );
      }),
      /FOREIGN KEY constraint failed/,
    );
    assert.equal(await carts(), lines);
    // Had the failed COMMIT left the transaction open, this BEGIN IMMEDIATE would fail on the same connection.
    await t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory WHERE id = ?', [1]));
  });

  test('the runner refuses statements once its transaction has ended', async () => {
    const before = await inventoryOf(5);
    let leaked: Parameters<Parameters<typeof t.db.sqlWriteTransaction>[0]>[0] | undefined;
    await t.db.sqlWriteTransaction(async (sql) => {
      leaked = sql;
    });
    await assert.rejects(leaked!.run('UPDATE Books SET inventory = inventory + 9 WHERE id = ?', [5]), TransactionEndedError);
    await assert.rejects(leaked!.all('SELECT 1'), TransactionEndedError);
    assert.equal(await inventoryOf(5), before);
  });

  test('a statement the work did not await never lands outside the transaction', async () => {
    const synchronous = syncSqliteOf(t.db) !== undefined;
    // Warm the cache of prepared statements, so BEGIN, COMMIT and ROLLBACK run at once while a new
    // statement text waits for its prepare: the order in which a forgotten statement would overtake them.
    await t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory WHERE id = ?', [6]));
    await assert.rejects(t.db.sqlWriteTransaction(async () => {
      throw new Error('warm the rollback');
    }));
    const before = await inventoryOf(6);
    for (let i = 0; i < 3; i += 1) {
      await assert.rejects(
        t.db.sqlWriteTransaction(async (sql) => {
          void sql.run(`UPDATE Books SET inventory = inventory + 100 WHERE id = ? /* thrown ${i} */`, [6]).catch(() => undefined);
          throw new Error('boom');
        }),
        /boom/,
        'the caller gets the work\'s own error',
      );
      const returned = t.db.sqlWriteTransaction(async (sql) => {
        void sql.run(`UPDATE Books SET inventory = inventory + 100 WHERE id = ? /* returned ${i} */`, [6]).catch(() => undefined);
      });
      if (synchronous) {
        // better-sqlite3 runs a statement when it is called: the unawaited one has already run
        // inside the transaction before the work returns, so it commits with it, never after it.
        await returned;
      } else {
        await assert.rejects(returned, UnawaitedStatementError, 'work that returns with a statement still running is rolled back, not committed');
      }
    }
    const kept = synchronous ? 300 : 0;
    assert.equal(await inventoryOf(6), before + kept, 'the rolled-back writes were not kept, nor any that could have landed after the end');
    await t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory - ? WHERE id = ?', [kept, 6]));
  });

  test('a statement that failed fails its transaction, even when the work caught its error or never awaited it', async () => {
    const before = await inventoryOf(6);
    for (const swallow of ['caught', 'not awaited'] as const) {
      await assert.rejects(t.db.sqlWriteTransaction(async (sql) => {
        await sql.run('UPDATE Books SET inventory = inventory + 1 WHERE id = ?', [6]);
        const failing = sql.run('UPDATE Books SET AuthorId = ? WHERE id = ?', [999999, 6]);
        if (swallow === 'caught') await failing.catch(() => undefined);
        else void failing.catch(() => undefined);
      }), (error: Error) => error instanceof UnawaitedStatementError || isSqlDriverError(error), swallow);
    }
    assert.equal(await inventoryOf(6), before, 'the first statement of each was rolled back');
  });

  test('queues behind writeTransaction on the same mutex (SQLite), so the two never interleave', { skip: testDialect !== 'sqlite' && 'MySQL locks rows, not a process mutex' }, async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sequelizeSide = t.db.writeTransaction(async () => {
      order.push('model transaction starts');
      await held;
      order.push('model transaction ends');
    });
    const plainSide = t.db.sqlWriteTransaction(async (sql) => {
      order.push('plain transaction starts');
      await sql.run('UPDATE Books SET inventory = inventory WHERE id = ?', [1]);
    });
    const modelAgain = t.db.writeTransaction(async () => {
      order.push('second model transaction');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await Promise.all([sequelizeSide, plainSide, modelAgain]);
    assert.deepEqual(order, ['model transaction starts', 'model transaction ends', 'plain transaction starts', 'second model transaction']);
  });

  test('waits out another process holding the write lock (the busy timeout applies)', { skip: testDialect !== 'sqlite' && 'SQLite only' }, async () => {
    const other = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(t.config.database.dialect === 'sqlite' ? t.config.database.storage : '', (error) => (error ? reject(error) : resolve(db)));
    });
    const run = (text: string) => new Promise<void>((resolve, reject) => other.run(text, (error) => (error ? reject(error) : resolve())));
    await run('BEGIN IMMEDIATE');
    const before = await inventoryOf(6);
    const waiting = t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory + 1 WHERE id = ?', [6]));
    setTimeout(() => void run('COMMIT'), 200);
    await waiting;
    assert.equal(await inventoryOf(6), before + 1);
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  test('a MySQL deadlock victim is rolled back and run again', { skip: testDialect !== 'mysql' && 'InnoDB deadlocks' }, async () => {
    // Two transactions lock two books in opposite orders; InnoDB rolls one back, which then runs again.
    let aLocked!: () => void;
    let bLocked!: () => void;
    const aHasFirst = new Promise<void>((resolve) => {
      aLocked = resolve;
    });
    const bHasFirst = new Promise<void>((resolve) => {
      bLocked = resolve;
    });
    const attempts = { a: 0, b: 0 };
    const lockBoth = (name: 'a' | 'b', first: number, second: number, mine: () => void, theirs: Promise<void>) =>
      t.db.sqlWriteTransaction(async (sql) => {
        attempts[name] += 1;
        await sql.one('SELECT id FROM Books WHERE id = ? FOR UPDATE', [first]);
        mine();
        await theirs;
        await sql.one('SELECT id FROM Books WHERE id = ? FOR UPDATE', [second]);
        await sql.run('UPDATE Books SET inventory = inventory + 1 WHERE id IN (?, ?)', [first, second]);
      });
    const before = await inventoryOf(7);
    await Promise.all([lockBoth('a', 7, 8, aLocked, bHasFirst), lockBoth('b', 8, 7, bLocked, aHasFirst)]);
    assert.equal(attempts.a + attempts.b, 3, 'one of the two ran twice');
    assert.equal(await inventoryOf(7), before + 2, 'both committed once');
  });
});
