import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { StatementCache, statementCacheOf, type StatementConstructor } from '../../db/statement-cache';
import { startTestApp, testDialect, type TestApp } from '../helpers';

// The cache is SQLite's: MySQL statements go through mysql2, which has no such wrapper cost.
const skip = testDialect !== 'sqlite' && 'the prepared-statement cache is for SQLite';

// sqlite3's typings leave out the constructor's arguments.
const Statement = sqlite3.Statement as unknown as StatementConstructor;

const open = (file: string) => new Promise<sqlite3.Database>((resolve, reject) => {
  const db = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(db)));
});
const exec = (db: sqlite3.Database, text: string) => new Promise<void>((resolve, reject) => {
  db.exec(text, (error) => (error ? reject(error) : resolve()));
});
const closeDb = (db: sqlite3.Database) => new Promise<void>((resolve, reject) => {
  db.close((error) => (error ? reject(error) : resolve()));
});

/** sqlite3's Statement, counting the statements made (each one is a prepare). */
function countingStatement() {
  const made: string[] = [];
  const Counting = function (database: sqlite3.Database, text: string, callback?: (error: Error | null) => void) {
    made.push(text);
    return new Statement(database, text, callback);
  } as unknown as StatementConstructor;
  return { Statement: Counting, made };
}

describe('prepared statements kept per SQLite connection', { skip }, () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'epicbook-statements-'));
    file = path.join(dir, 'cache.sqlite');
    const db = await open(file);
    await exec(db, `PRAGMA journal_mode = WAL;
      CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, tag TEXT UNIQUE);
      INSERT INTO t (id, v, tag) VALUES (1, 10, 'one'), (2, 20, 'two'), (3, 30, 'three')`);
    await closeDb(db);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a statement is prepared once and reused with new parameters each time', async () => {
    const db = await open(file);
    const { Statement, made } = countingStatement();
    const cache = new StatementCache(db, Statement);
    const text = 'SELECT v FROM t WHERE id = ?';
    assert.deepEqual(await cache.all(text, [1]), [{ v: 10 }]);
    assert.deepEqual(await cache.all(text, [2]), [{ v: 20 }]);
    assert.deepEqual(await cache.all(text, [99]), []);
    // Two first uses at once share one prepare.
    const other = 'SELECT tag FROM t WHERE id = ?';
    const [a, b] = await Promise.all([cache.all(other, [1]), cache.all(other, [3])]);
    assert.deepEqual([a, b], [[{ tag: 'one' }], [{ tag: 'three' }]]);
    assert.deepEqual(made, [text, other]);

    const update = 'UPDATE t SET v = v + ? WHERE id = ?';
    assert.deepEqual(await cache.run(update, [1, 3]), { changes: 1, lastID: 0 });
    assert.equal((await cache.run(update, [1, 99])).changes, 0);
    const inserted = await cache.run('INSERT INTO t (v, tag) VALUES (?, ?)', [40, 'four']);
    assert.deepEqual(inserted, { changes: 1, lastID: 4 });
    assert.equal(made.length, 4);
    await cache.finalizeAll();
    await closeDb(db);
  });

  test("a statement with placeholders called without parameters never reuses the previous caller's values", async () => {
    const db = await open(file);
    const cache = new StatementCache(db, Statement);
    assert.deepEqual(await cache.all('SELECT ? AS x', ['secret']), [{ x: 'secret' }]);
    assert.deepEqual(await cache.all('SELECT ? AS x', []), [{ x: null }], 'bound as NULL, as the driver does for a fresh statement');
    assert.deepEqual(await cache.run('UPDATE t SET v = v WHERE id = ?', [1]), { changes: 1, lastID: 0 });
    assert.equal((await cache.run('UPDATE t SET v = v WHERE id = ?', [])).changes, 0, 'id = NULL matches nothing');
    assert.deepEqual(await cache.all('SELECT 1 AS one', []), [{ one: 1 }]);
    assert.ok(cache.has('SELECT 1 AS one'), 'a statement without placeholders is still kept');
    await cache.finalizeAll();
    await closeDb(db);
  });

  test('a reused statement holds no snapshot: it sees what another connection committed after its first use', async () => {
    const reader = await open(file);
    const writer = await open(file);
    const cache = statementCacheOf(reader, Statement);
    const writes = statementCacheOf(writer, Statement);
    const read = 'SELECT v FROM t WHERE id = ?';
    const before = (await cache.all<{ v: number }>(read, [2]))[0].v;
    await writes.run('UPDATE t SET v = ? WHERE id = ?', [before + 5, 2]);
    assert.equal((await cache.all<{ v: number }>(read, [2]))[0].v, before + 5, 'the second use reads the new commit');

    // Nor does a kept write statement hold the write lock: the other connection can take it at once.
    await cache.run('UPDATE t SET v = v WHERE id = ?', [2]);
    writer.configure('busyTimeout', 0);
    await writes.run('BEGIN IMMEDIATE', []);
    await writes.run('UPDATE t SET v = v + 1 WHERE id = ?', [2]);
    // And a kept read inside no transaction of its own keeps no snapshot while the writer commits.
    assert.equal((await cache.all<{ v: number }>(read, [2]))[0].v, before + 5, 'uncommitted: not seen');
    await writes.run('COMMIT', []);
    assert.equal((await cache.all<{ v: number }>(read, [2]))[0].v, before + 6);
    assert.ok(cache.has(read) && writes.has('COMMIT'));
    // close() finalizes the kept statements first; without that sqlite3 refuses to close (SQLITE_BUSY).
    await closeDb(reader);
    await closeDb(writer);
  });

  test('the cache is bounded: the least recently used statement is finalized first', async () => {
    const db = await open(file);
    const { Statement, made } = countingStatement();
    const cache = new StatementCache(db, Statement, 3);
    const texts = [1, 2, 3, 4].map((n) => `SELECT v + ${n} AS v FROM t WHERE id = ?`);
    await cache.all(texts[0], [1]);
    await cache.all(texts[1], [1]);
    await cache.all(texts[2], [1]);
    await cache.all(texts[0], [1]); // now the most recently used
    await cache.all(texts[3], [1]); // evicts texts[1]
    assert.equal(cache.size, 3);
    assert.deepEqual(texts.map((text) => cache.has(text)), [true, false, true, true]);
    assert.deepEqual(await cache.all(texts[1], [1]), [{ v: 12 }], 'an evicted statement is prepared again');
    assert.equal(made.length, 5);

    // Evicting one that is still being prepared: the callers already waiting for it are answered first.
    const tiny = new StatementCache(db, Statement, 1);
    const [first, second] = await Promise.all([tiny.all(texts[0], [1]), tiny.all(texts[1], [1])]);
    assert.deepEqual([first, second], [[{ v: 11 }], [{ v: 12 }]]);
    assert.equal(tiny.size, 1);
    // finalizeAll finalizes the kept ones; the connection closes only if every evicted one was finalized too.
    await cache.finalizeAll();
    await tiny.finalizeAll();
    await closeDb(db);
  });

  test('a statement that fails to prepare or to run rejects with the driver error and is not kept', async () => {
    const db = await open(file);
    const cache = new StatementCache(db, Statement);
    await assert.rejects(cache.all('SELECT nope FROM t', []), /no such column: nope/);
    await assert.rejects(cache.run('UPDATE nowhere SET v = 1', []), /no such table: nowhere/);
    assert.equal(cache.size, 0);

    const insert = 'INSERT INTO t (v, tag) VALUES (?, ?)';
    await assert.rejects(cache.run(insert, [1, 'one']), (error: Error & { code?: string }) => error.code === 'SQLITE_CONSTRAINT');
    assert.equal(cache.has(insert), false, 'a statement whose step failed is prepared afresh next time');
    const ok = await cache.run(insert, [5, 'five']);
    assert.equal(ok.changes, 1);
    assert.equal(cache.has(insert), true);
    await cache.finalizeAll();
    await closeDb(db);
  });

  test('a driver call that throws rejects the caller, whether the statement is new or kept', async () => {
    // sqlite3 throws from Statement#all/#run when it cannot take the arguments; a stand-in does so
    // here, after preparing asynchronously as the driver does.
    const Throwing = function (_database: sqlite3.Database, _text: string, callback?: (error: Error | null) => void) {
      setImmediate(() => callback?.(null));
      const fail = () => {
        throw new TypeError('Data type is not supported');
      };
      return { all: fail, run: fail, finalize: (done?: () => void) => setImmediate(() => done?.()) };
    } as unknown as StatementConstructor;
    const db = await open(file);
    const cache = new StatementCache(db, Throwing);
    await assert.rejects(cache.all('SELECT v FROM t WHERE id = ?', [1]), /Data type is not supported/, 'first use, after the prepare');
    await assert.rejects(cache.all('SELECT v FROM t WHERE id = ?', [1]), /Data type is not supported/, 'kept');
    await assert.rejects(cache.run('UPDATE t SET v = v WHERE id = ?', [1]), /Data type is not supported/);
    await cache.finalizeAll();
    await closeDb(db);
  });

  test('statements that could keep a read open after one step, and schema changes, run uncached', async () => {
    const db = await open(file);
    const cache = new StatementCache(db, Statement);
    await cache.run('SELECT v FROM t WHERE id = ?', [1]);
    await cache.run('UPDATE t SET v = v WHERE id = ? RETURNING v', [1]);
    await cache.all('PRAGMA user_version', []);
    await cache.run('CREATE TABLE IF NOT EXISTS u (id INTEGER PRIMARY KEY)', []);
    assert.equal(cache.size, 0);
    // A SELECT kept for all() is still not used by run().
    await cache.all('SELECT v FROM t WHERE id = ?', [1]);
    await cache.run('SELECT v FROM t WHERE id = ?', [1]);
    assert.equal(cache.size, 1);
    await cache.finalizeAll();
    await closeDb(db);
  });

  test('after finalizeAll statements still run, uncached, until the connection closes', async () => {
    const db = await open(file);
    const cache = new StatementCache(db, Statement);
    await cache.all('SELECT v FROM t WHERE id = ?', [1]);
    await cache.finalizeAll();
    assert.equal(cache.size, 0);
    assert.deepEqual(await cache.all('SELECT tag FROM t WHERE id = ?', [1]), [{ tag: 'one' }]);
    assert.equal(cache.size, 0);
    await closeDb(db);
    await assert.rejects(cache.all('SELECT tag FROM t WHERE id = ?', [1]), /SQLITE_MISUSE/);
  });
});

describe('db.sql(transaction) on SQLite uses the cache of the transaction\'s connection', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });

  test('a read repeated after a write committed sees the commit, from the same kept statement', async () => {
    const text = 'SELECT inventory FROM Books WHERE id = ?';
    let connection: sqlite3.Database | undefined;
    const read = () => t.db.writeTransaction(async (transaction) => {
      connection = (transaction as unknown as { connection: sqlite3.Database }).connection;
      return (await t.db.sql(transaction).one<{ inventory: number }>(text, [1]))!.inventory;
    });
    const first = await read();
    await t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory + 3 WHERE id = ?', [1]));
    assert.equal(await read(), first + 3);
    assert.ok(statementCacheOf(connection!, Statement).has(text));
  });

  test('db.close() finalizes every kept statement and closes without error', async () => {
    await t.db.writeTransaction((transaction) => t.db.sql(transaction).all('SELECT id FROM Books WHERE id IN (?, ?)', [1, 2]));
    await t.db.sql().all('SELECT id FROM Books WHERE id IN (?, ?)', [1, 2]);
    await t.db.sqlWriteTransaction((sql) => sql.run('UPDATE Books SET inventory = inventory WHERE id = ?', [1]));
    await t.close();
  });
});
