import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type BetterSqlite3Constructor = typeof BetterSqlite3;

let loaded: BetterSqlite3Constructor | null | undefined;

/**
 * better-sqlite3, or null where it is not installed: it is an optional dependency, since it builds
 * from source where no prebuilt binary can be fetched, and the store runs without it (slower).
 */
export function betterSqlite3(): BetterSqlite3Constructor | null {
  if (loaded === undefined) {
    try {
      loaded = require('better-sqlite3') as BetterSqlite3Constructor;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

/** What the probe needs of the sqlite3 module Sequelize loaded. */
interface Sqlite3Module {
  Database: new (file: string, callback: (error: Error | null) => void) => {
    exec(text: string, callback: (error: Error | null) => void): unknown;
    close(callback: (error: Error | null) => void): unknown;
  };
}

let probed: Promise<boolean> | null = null;

/**
 * Whether sqlite3 and better-sqlite3 run on one copy of the SQLite library in this process, which
 * is what makes it safe for both to open the same file. SQLite's file locks are POSIX advisory
 * locks, which never conflict within one process; each copy of the library tracks its own
 * connections' locks in memory, and a second copy knows nothing of them. Two copies would let both
 * drivers write at once, let one checkpoint the WAL under the other's readers, and let one's close()
 * drop the other's locks (sqlite.org, "How To Corrupt An SQLite Database File", 2.2). That is the
 * case whenever either driver bundles its own SQLite (their prebuilt binaries, or better-sqlite3
 * built from its amalgamation); README's install links both to the system's libsqlite3.
 *
 * The probe asks the libraries themselves: sqlite3 takes the write lock of a scratch file, and
 * better-sqlite3, with no busy timeout, must be refused it. Run once per process (a few ms).
 */
export function sharesOneSqlite(sqlite3: Sqlite3Module): Promise<boolean> {
  const BetterSqlite3 = betterSqlite3();
  if (!BetterSqlite3) return Promise.resolve(false);
  // A probe that could not run (no writable temporary directory, say) answers no: everything then
  // stays on sqlite3, the safe way, rather than the store failing to start.
  probed ??= probe(sqlite3, BetterSqlite3).catch(() => false);
  return probed;
}

async function probe(sqlite3: Sqlite3Module, BetterSqlite3: BetterSqlite3Constructor): Promise<boolean> {
  const dir = mkdtempSync(path.join(tmpdir(), 'epicbook-sqlite-probe-'));
  const file = path.join(dir, 'probe.sqlite');
  try {
    const holder = await new Promise<InstanceType<Sqlite3Module['Database']>>((resolve, reject) => {
      const db = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(db)));
    });
    const exec = (text: string) => new Promise<void>((resolve, reject) => {
      holder.exec(text, (error) => (error ? reject(error) : resolve()));
    });
    try {
      await exec('CREATE TABLE probe (x); BEGIN IMMEDIATE; INSERT INTO probe VALUES (1)');
      const other = new BetterSqlite3(file, { timeout: 0 });
      try {
        other.exec('BEGIN IMMEDIATE');
        other.exec('ROLLBACK');
        return false;
      } catch (error) {
        if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return true;
        throw error;
      } finally {
        other.close();
      }
    } finally {
      await exec('ROLLBACK').catch(() => undefined);
      await new Promise<void>((resolve) => {
        holder.close(() => resolve());
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Forgets the probe's answer (for tests). */
export function forgetSqliteProbe(): void {
  probed = null;
}
