import session from 'express-session';
import type { Database } from '../db/connection';
import { parseSqlDate } from '../db/sql';
import { batchedLookup, inList } from '../lib/batched-lookup';

type Callback = (error?: unknown) => void;

/** How often rows of sessions past their expiry are deleted (what connect-session-sequelize did). */
export const PURGE_INTERVAL_MS = 15 * 60 * 1000;

interface SessionRow {
  sid: string;
  data: string | null;
  expires: string | Date | null;
}

/**
 * express-session's store over the `Sessions` table, in the row format connect-session-sequelize
 * used (sid, expires, data as JSON, createdAt, updatedAt), so sessions stored before the switch keep
 * working. It runs one plain statement per call on the driver's connection: the Sequelize model
 * pipeline cost more than the statement on every request that carries a session cookie.
 *
 * Reads are batched (lib/batched-lookup.ts): the requests that arrive together share one
 * `WHERE sid IN (…)`, and none joins a read already under way, so each sees every write committed
 * before it asked. Under load that is one statement for dozens of requests instead of one each.
 *
 * On SQLite every write goes through db.sqlWriteTransaction, i.e. the one writer connection under
 * the process's write mutex: a write from another connection would compete with cart changes and
 * orders for the file lock, and SQLite's busy handler waits for a lock by sleeping (1, 2, 5, 10 ms...).
 */
export class SqlSessionStore extends session.Store {
  private readonly db: Database;
  private readonly fallbackMaxAgeMs: number;
  private purgeTimer: NodeJS.Timeout | null = null;
  private readonly rowOf: (sid: string) => Promise<SessionRow | undefined>;

  constructor(db: Database, options: { maxAgeMs: number; purgeIntervalMs?: number }) {
    super();
    this.db = db;
    this.fallbackMaxAgeMs = options.maxAgeMs;
    // Session ids are the store's own random ids (uid-safe), matched exactly: a batch's rows are
    // found by their sid as sent, so no collation can hand one browser another's row.
    this.rowOf = batchedLookup(async (sids: string[]) => {
      const { keys, placeholders } = inList(sids);
      const rows = await db.sql().all<SessionRow>(`SELECT sid, data, expires FROM Sessions WHERE sid IN (${placeholders})`, keys);
      return new Map(rows.map((row) => [row.sid, row]));
    });
    const interval = options.purgeIntervalMs ?? PURGE_INTERVAL_MS;
    if (interval > 0) {
      this.purgeTimer = setInterval(() => {
        // A failed purge (the database briefly away) is retried at the next tick; rows past their
        // expiry are never served meanwhile (see get).
        this.purgeExpired().catch(() => {});
      }, interval);
      // The purge must not keep a stopping process alive.
      this.purgeTimer.unref();
    }
  }

  override get(sid: string, callback: (error: unknown, session?: session.SessionData | null) => void): void {
    this.read(sid).then((data) => callback(null, data), (error) => callback(error));
  }

  /**
   * The session stored under `sid`, or null when there is none to serve (see liveSession); rejects
   * when the row cannot be read. The one read of a session: express-session's (get) and the page
   * cache's answer for guests (middleware/guest-session.ts) both go through it, so both apply the
   * same rules. Each caller gets an object of its own: express-session changes the one it is given.
   */
  async read(sid: string): Promise<session.SessionData | null> {
    const row = await this.rowOf(sid);
    return row ? liveSession(row) : null;
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const now = new Date();
    const params = [sid, this.expiryOf(data, now), JSON.stringify(data), now, now];
    const write = this.db.dialect === 'sqlite'
      ? this.db.sqlWriteTransaction((sql) => sql.run(
        'INSERT INTO Sessions (sid, expires, data, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT(sid) DO UPDATE SET expires = excluded.expires, data = excluded.data, updatedAt = excluded.updatedAt',
        params,
      ))
      // One statement on MySQL: autocommitted, and InnoDB locks only the one row. VALUES() rather
      // than MySQL 8's row alias, which MariaDB does not understand.
      : this.db.sql().run(
        'INSERT INTO Sessions (sid, expires, data, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?) ' +
        'ON DUPLICATE KEY UPDATE expires = VALUES(expires), data = VALUES(data), updatedAt = VALUES(updatedAt)',
        params,
      );
    write.then(() => callback?.(), (error) => callback?.(error));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.write('DELETE FROM Sessions WHERE sid = ?', [sid]).then(() => callback?.(), (error) => callback?.(error));
  }

  /** Deletes every row past its expiry; resolves to how many went. */
  async purgeExpired(now = new Date()): Promise<number> {
    const { changes } = await this.write('DELETE FROM Sessions WHERE expires < ?', [now]);
    return changes;
  }

  /** Stops the periodic purge (the database is closing). */
  close(): void {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
  }

  private write(text: string, params: Array<string | Date>) {
    return this.db.dialect === 'sqlite'
      ? this.db.sqlWriteTransaction((sql) => sql.run(text, params))
      : this.db.sql().run(text, params);
  }

  /** The row lives exactly as long as the cookie the response carries. */
  private expiryOf(data: session.SessionData, now: Date): Date {
    const expires = data.cookie?.expires;
    if (expires) {
      const date = new Date(expires);
      if (!Number.isNaN(date.getTime())) return date;
    }
    return new Date(now.getTime() + this.fallbackMaxAgeMs);
  }
}

/**
 * A row's session, or null when there is none to serve: past its expiry (the purge may not have run
 * yet), or unreadable. A row no one can read is treated as no session rather than failing every
 * request of the browser that holds its cookie; the next save replaces it.
 */
function liveSession(row: Pick<SessionRow, 'data' | 'expires'>): session.SessionData | null {
  if (row.expires === null || row.data === null) return null;
  try {
    if (parseSqlDate(row.expires).getTime() <= Date.now()) return null;
    const data = JSON.parse(row.data) as unknown;
    if (typeof data !== 'object' || data === null || typeof (data as { cookie?: unknown }).cookie !== 'object' || (data as { cookie?: unknown }).cookie === null) {
      return null;
    }
    return data as session.SessionData;
  } catch {
    return null;
  }
}
