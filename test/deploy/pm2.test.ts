/**
 * deploy/pm2/ecosystem.config.cjs under the real PM2 (from npm, with a PM2_HOME of its own): a steady
 * stream of page views and orders must survive `pm2 reload` without a single failed request, and a
 * worker killed with SIGKILL may only take the requests it was serving with it. Then the database
 * must hold every order a shopper saw confirmed, and the stock must add up.
 *
 * Runs on SQLite (several workers sharing one file) and, when TEST_MYSQL_URL is set, on MySQL too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../../config';
import { createLogger } from '../../logger';
import { connectDatabase, type Database } from '../../db/connection';
import { migrate } from '../../db/migrate';
import { seedCatalogIfEmpty } from '../../db/seed';
import { createTestDatabase, csrfFrom, validShipping } from '../helpers';
import { freePort, projectRoot, toolOrSkip, waitFor } from './support';

const PM2 = path.join(projectRoot, 'node_modules/.bin/pm2');
const ECOSYSTEM = path.join(projectRoot, 'deploy/pm2/ecosystem.config.cjs');
const LOGROTATE = path.join(projectRoot, 'deploy/logrotate/epicbook');
const WORKERS = 2;
const BROWSERS = 3;
const SHOPPERS = 3;
const STOCK = 1_000_000;
/** Books the shoppers buy; stock is raised on these before the app starts. */
const BOOK_IDS = [1, 2, 3, 4, 5];

type Cleanups = Array<() => unknown>;

/** Undoes in reverse order, each step even when an earlier one failed. */
async function runCleanups(cleanups: Cleanups): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve().then(cleanup).catch((e) => console.error('cleanup:', e));
}

const cleanups: Cleanups = [];
after(() => runCleanups(cleanups));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ecosystem file as PM2 would read it with this environment (it reads env vars at load time). */
function loadEcosystem(file: string, env: Record<string, string> = {}) {
  const json = execFileSync(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(require(process.argv[1])))', file], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(json) as { apps: Array<Record<string, unknown> & { env: Record<string, string> }> };
}

interface Pm2Process {
  pm_id: number;
  pid: number;
  status: string;
}

type Pm2 = ((...args: string[]) => Promise<string>) & { workers(): Promise<Pm2Process[]> };

/** The PM2 command line with this environment (its PM2_HOME among it). */
function pm2With(env: Record<string, string>): Pm2 {
  const run = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      // Asynchronous on purpose: a request stream must keep flowing while PM2 works.
      execFile(PM2, args, { env, cwd: projectRoot, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`pm2 ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      });
    });
  const workers = async (): Promise<Pm2Process[]> => {
    const out = await run('jlist');
    const list = JSON.parse(out.slice(out.indexOf('['))) as Array<{ pm_id: number; pid: number; name: string; pm2_env: { status: string } }>;
    return list.filter((p) => p.name === 'epicbook').map((p) => ({ pm_id: p.pm_id, pid: p.pid, status: p.pm2_env.status }));
  };
  return Object.assign(run, { workers });
}

function assertBuilt(): void {
  assert.ok(existsSync(path.join(projectRoot, 'dist/server.js')), 'dist/server.js is missing: run `npm run build` first');
}

describe('deploy/pm2/ecosystem.config.cjs', () => {
  test('runs dist/server.js in cluster mode, one worker per core, with graceful start and stop', () => {
    const { apps } = loadEcosystem(ECOSYSTEM, { EPICBOOK_LOG_DIR: '/tmp/epicbook-logs' });
    assert.equal(apps.length, 1);
    const app = apps[0];
    assert.equal(app.name, 'epicbook');
    assert.equal(app.exec_mode, 'cluster');
    assert.equal(app.instances, 'max');
    assert.equal(app.cwd, projectRoot);
    assert.equal(app.script, 'dist/server.js');
    assert.equal(app.env.NODE_ENV, 'production');
    // Memory: old space, young generation and V8's background threads bounded (npm run bench starts the app with these same flags).
    assert.deepEqual(app.node_args, ['--max-old-space-size=128', '--max-semi-space-size=8', '--v8-pool-size=2']);
    assert.equal(app.wait_ready, true);
    const grace = Number(/const SHUTDOWN_GRACE_MS = (\d+)/.exec(readFileSync(path.join(projectRoot, 'server.ts'), 'utf8'))?.[1]);
    assert.ok(grace > 0, 'server.ts still has SHUTDOWN_GRACE_MS');
    assert.ok(Number(app.kill_timeout) > grace, `kill_timeout ${app.kill_timeout} must outlast the app's own ${grace} ms grace`);
    assert.ok(Number(app.listen_timeout) > 5000, 'listen_timeout outlasts the database connect timeout');
    assert.ok(app.max_memory_restart);
    assert.ok(Number(app.exp_backoff_restart_delay) > 0);
    assert.equal(app.out_file, '/tmp/epicbook-logs/epicbook-out.log');
    assert.equal(app.error_file, '/tmp/epicbook-logs/epicbook-error.log');
    assert.equal(app.merge_logs, true);
    assert.equal(loadEcosystem(ECOSYSTEM).apps[0].out_file, '/var/log/epicbook/epicbook-out.log');
  });

  test('takes the worker count from WEB_CONCURRENCY and copies no secret or setting from the environment', () => {
    const secrets = { SESSION_SECRET: randomBytes(24).toString('hex'), DATABASE_URL: 'mysql://epicbook:pw-4f9c1e@db.internal:3306/bookstore', PORT: '8123' };
    const { apps } = loadEcosystem(ECOSYSTEM, { ...secrets, WEB_CONCURRENCY: '3' });
    assert.equal(apps[0].instances, 3);
    const text = JSON.stringify(apps);
    for (const [name, value] of Object.entries(secrets)) assert.ok(!text.includes(value), `${name} must come from the environment or .env, not the file`);
    assert.deepEqual(Object.keys(apps[0].env), ['NODE_ENV']);
    assert.throws(() => loadEcosystem(ECOSYSTEM, { WEB_CONCURRENCY: 'lots' }), /WEB_CONCURRENCY must be a positive whole number/);
  });
});

describe('a release layout (releases/<id>, `current` pointing at one) under the real PM2', () => {
  const cleanups: Cleanups = [];
  after(() => runCleanups(cleanups));

  test('starts with settings and secrets only in .env, and `pm2 reload` moves to the release `current` now points at', async () => {
    assertBuilt();
    const base = mkdtempSync(path.join(tmpdir(), 'epicbook-releases-'));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    const port = await freePort();
    const secret = randomBytes(32).toString('hex');
    writeFileSync(path.join(base, 'shared.env'),
      `PORT=${port}\nDATABASE_URL=sqlite:${path.join(base, 'store.sqlite')}\nSESSION_SECRET=${secret}\nLOG_LEVEL=warn\n`);
    const release = (id: string) => {
      const dir = path.join(base, 'releases', id);
      mkdirSync(path.join(dir, 'deploy/pm2'), { recursive: true });
      cpSync(path.join(projectRoot, 'dist'), path.join(dir, 'dist'), { recursive: true });
      cpSync(ECOSYSTEM, path.join(dir, 'deploy/pm2/ecosystem.config.cjs'));
      for (const shared of ['node_modules', 'views', 'public', 'package.json']) symlinkSync(path.join(projectRoot, shared), path.join(dir, shared));
      symlinkSync(path.join(base, 'shared.env'), path.join(dir, '.env'));
      return dir;
    };
    const first = release('20250101-120000');
    const second = release('20250102-090000');
    const current = path.join(base, 'current');
    symlinkSync(first, current);
    assert.equal(loadEcosystem(path.join(current, 'deploy/pm2/ecosystem.config.cjs')).apps[0].cwd, current);
    assert.equal(loadEcosystem(path.join(second, 'deploy/pm2/ecosystem.config.cjs')).apps[0].cwd, second, 'a release that is not current is used where it is');

    // Nothing but PM2's own settings in its environment: the port, database and secret are in .env.
    const pm2 = pm2With({
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PM2_HOME: path.join(base, 'pm2'),
      EPICBOOK_LOG_DIR: path.join(base, 'logs'),
      WEB_CONCURRENCY: '1',
    });
    cleanups.push(() => pm2('kill'));
    const runningFrom = async () => {
      const [worker] = await pm2.workers();
      return worker?.status === 'online' && worker.pid > 0 ? readlinkSync(`/proc/${worker.pid}/cwd`) : null;
    };
    const ready = async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200;

    await pm2('start', path.join(current, 'deploy/pm2/ecosystem.config.cjs'));
    await waitFor(async () => (await runningFrom()) === first && (await ready()), 'the first release to serve', 30_000);
    assert.ok(!(await pm2('jlist')).includes(secret), 'PM2 never holds the secret');
    // Production mode, which only the ecosystem file set: static files get a week of caching.
    const css = await fetch(`http://127.0.0.1:${port}/assets/css/app.css`);
    assert.equal(css.headers.get('cache-control'), 'public, max-age=604800');

    // A deploy: move the link in one step, then reload by name.
    symlinkSync(second, `${current}.next`);
    renameSync(`${current}.next`, current);
    await pm2('reload', 'epicbook');
    await waitFor(async () => (await runningFrom()) === second && (await ready()), 'the second release to serve', 30_000);
  });
});

// ---------------------------------------------------------------------------------------------
// A stream of shoppers and page views, as browsers with keep-alive connections would send it.

interface Reply {
  status: number;
  location: string | undefined;
  body: string;
}

/** One browser: a keep-alive connection of its own and a cookie jar. */
class Browser {
  private cookies = new Map<string, string>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly origin: string) {}

  forgetCookies(): void {
    this.cookies.clear();
  }

  close(): void {
    this.agent.destroy();
  }

  request(method: 'GET' | 'POST', target: string, form?: Record<string, string>): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const headers: Record<string, string> = {};
      if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const req = http.request(`${this.origin}${target}`, { method, headers, agent: this.agent }, (res) => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const pair = line.split(';')[0];
          const eq = pair.indexOf('=');
          this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
        res.on('error', reject);
      });
      req.setTimeout(15_000, () => req.destroy(new Error('no answer in 15 s')));
      req.on('error', reject);
      req.end(body);
    });
  }
}

interface Sample {
  loop: string;
  what: string;
  started: number;
  ended: number;
  ok: boolean;
  detail: string;
}

class Traffic {
  readonly samples: Sample[] = [];
  /** Orders whose 303 to /orders/:id reached the shopper. */
  readonly confirmed: Array<{ id: number; bookId: number }> = [];
  /** Checkouts that got no confirmation: the order may or may not have been committed. */
  unconfirmedCheckouts = 0;
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private readonly browsers: Browser[] = [];
  private readonly deadline = Date.now() + 120_000;

  constructor(private readonly origin: string) {}

  start(): void {
    for (let i = 0; i < BROWSERS; i++) this.loops.push(this.run(`browser${i}`, (b, n) => this.browse(b, `browser${i}`, n)));
    for (let i = 0; i < SHOPPERS; i++) this.loops.push(this.run(`shopper${i}`, (b, n) => this.shop(b, `shopper${i}`, n)));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const b of this.browsers) b.close();
  }

  /** Failed requests that ended in [from, to): a request cut off by a kill ends after it, whenever it began. */
  failures(from = 0, to = Infinity): Sample[] {
    return this.samples.filter((s) => !s.ok && s.ended >= from && s.ended < to);
  }

  /** Waits until `count` more requests started after `since` have succeeded, `orders` of them checkouts. */
  async settle(since: number, count: number, orders: number): Promise<void> {
    await waitFor(
      () => this.samples.filter((s) => s.ok && s.started >= since).length >= count
        && this.samples.filter((s) => s.ok && s.started >= since && s.what === 'POST /checkout').length >= orders,
      `${count} requests and ${orders} orders to succeed`,
      30_000,
    );
  }

  private async run(loop: string, iteration: (b: Browser, n: number) => Promise<void>): Promise<void> {
    const browser = new Browser(this.origin);
    this.browsers.push(browser);
    // Bounded in count and in time, whatever happens to the test around it.
    for (let n = 0; this.running && n < 5000 && Date.now() < this.deadline; n++) {
      await iteration(browser, n).catch((error: Error) => {
        // Never a rejected loop nobody awaits yet: a surprise is one more failed sample.
        const now = Date.now();
        this.samples.push({ loop, what: 'loop', started: now, ended: now, ok: false, detail: error.message });
      });
      await sleep(5);
    }
  }

  /** One request; `ok` is 2xx/3xx and whatever `expect` adds. Resolves to the reply only when ok. */
  private async step(loop: string, what: string, send: () => Promise<Reply>, expect?: (r: Reply) => string | null): Promise<Reply | null> {
    const started = Date.now();
    try {
      const reply = await send();
      const problem = reply.status >= 400 ? `${reply.status}: ${reply.body.slice(0, 160)}` : expect?.(reply) ?? null;
      this.samples.push({ loop, what, started, ended: Date.now(), ok: !problem, detail: problem ?? String(reply.status) });
      return problem ? null : reply;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.samples.push({ loop, what, started, ended: Date.now(), ok: false, detail: `${code ?? ''} ${(error as Error).message}` });
      return null;
    }
  }

  private async browse(browser: Browser, loop: string, n: number): Promise<void> {
    const pages = ['/', '/books', `/books/${BOOK_IDS[n % BOOK_IDS.length]}`, '/search?q=the', '/healthz', '/cart'];
    const target = pages[n % pages.length];
    await this.step(loop, `GET ${target}`, () => browser.request('GET', target));
  }

  /** A new shopper each time: home page, add one book, check out, look at the order. */
  private async shop(browser: Browser, loop: string, n: number): Promise<void> {
    browser.forgetCookies();
    const bookId = BOOK_IDS[n % BOOK_IDS.length];
    let token = '';
    const home = await this.step(loop, 'GET /', () => browser.request('GET', '/'), (r) => {
      try {
        token = csrfFrom(r.body);
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    });
    if (!home) return;
    const added = await this.step(loop, 'POST /cart/items', () => browser.request('POST', '/cart/items', { _csrf: token, bookId: String(bookId) }),
      (r) => (r.status === 303 ? null : `expected 303, got ${r.status}`));
    if (!added) return;
    let orderId = 0;
    const placed = await this.step(loop, 'POST /checkout', () => browser.request('POST', '/checkout', { _csrf: token, ...validShipping }), (r) => {
      const match = r.status === 303 ? /^\/orders\/(\d+)$/.exec(r.location ?? '') : null;
      if (!match) return `expected a 303 to /orders/:id, got ${r.status} ${r.location ?? ''}`;
      orderId = Number(match[1]);
      return null;
    });
    if (!placed) {
      this.unconfirmedCheckouts += 1;
      return;
    }
    this.confirmed.push({ id: orderId, bookId });
    await this.step(loop, 'GET /orders/:id', () => browser.request('GET', `/orders/${orderId}`), (r) => (r.status === 200 ? null : `expected 200, got ${r.status}`));
  }
}

/** A GET on a connection of its own, so that the cluster hands it to the next worker in turn. */
function getOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** The request log lines a worker wrote to the merged out file. */
function requestsLoggedBy(file: string, pid: number, url: string): number {
  let count = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const entry = JSON.parse(line) as { pid?: number; req?: { url?: string } };
      if (entry.pid === pid && entry.req?.url === url) count += 1;
    } catch {
      // A line still being written.
    }
  }
  return count;
}

function describeFailures(samples: Sample[]): string {
  return samples.slice(0, 12).map((s) => `${s.loop} ${s.what} at +${s.started % 100_000} ms: ${s.detail}`).join('\n');
}

// ---------------------------------------------------------------------------------------------

type Dialect = 'sqlite' | 'mysql';

/** A fresh, empty database as a DATABASE_URL. */
async function freshDatabase(dialect: Dialect, cleanups: Cleanups): Promise<string> {
  const db = await createTestDatabase(dialect);
  cleanups.push(() => db.drop());
  return db.env.DATABASE_URL ?? `sqlite:${db.env.SQLITE_FILE}`;
}

async function openDatabase(url: string): Promise<Database> {
  const config = loadConfig({}, { NODE_ENV: 'test', DATABASE_URL: url });
  return connectDatabase(config, createLogger(config));
}

const dialects: Dialect[] = process.env.TEST_MYSQL_URL ? ['mysql', 'sqlite'] : ['sqlite'];

for (const dialect of dialects) {
  describe(`PM2 cluster of ${WORKERS} workers on ${dialect === 'mysql' ? 'MySQL' : 'one shared SQLite file'}`, () => {
    let work: string;
    let origin: string;
    let traffic: Traffic;
    let databaseUrl: string;
    const initialStock = new Map<number, number>();
    // This cluster's PM2, database and files go when its tests end, before the next cluster starts.
    const cleanups: Cleanups = [];
    after(() => runCleanups(cleanups));

    let pm2: Pm2;
    const workers = () => pm2.workers();
    const allOnline = async (count: number) => {
      const list = await workers();
      return list.length === count && list.every((p) => p.status === 'online' && p.pid > 0);
    };

    before(async () => {
      assertBuilt();
      work = mkdtempSync(path.join(tmpdir(), 'epicbook-pm2-'));
      cleanups.push(() => rmSync(work, { recursive: true, force: true }));

      // Migrated and seeded here, as provision.sh would, so that stock can be raised before start.
      databaseUrl = await freshDatabase(dialect, cleanups);
      const db = await openDatabase(databaseUrl);
      try {
        await migrate(db.sequelize);
        await seedCatalogIfEmpty(db);
        await db.sequelize.query(`UPDATE Books SET inventory = ${STOCK} WHERE id IN (${BOOK_IDS.join(',')})`);
        const rows = await db.sequelize.query<{ id: number; inventory: number }>('SELECT id, inventory FROM Books', { type: QueryTypes.SELECT });
        for (const row of rows) initialStock.set(Number(row.id), Number(row.inventory));
      } finally {
        await db.close();
      }

      const port = await freePort();
      origin = `http://127.0.0.1:${port}`;
      pm2 = pm2With({
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PM2_HOME: path.join(work, 'pm2'),
        EPICBOOK_LOG_DIR: path.join(work, 'logs'),
        WEB_CONCURRENCY: String(WORKERS),
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        SESSION_SECRET: randomBytes(32).toString('hex'),
        DATABASE_URL: databaseUrl,
      });
      cleanups.push(() => pm2('kill'));
      await pm2('start', ECOSYSTEM);
      await waitFor(() => allOnline(WORKERS), `${WORKERS} workers online`, 30_000);
      await waitFor(async () => (await fetch(`${origin}/readyz`).catch(() => null))?.status === 200, 'GET /readyz 200');

      traffic = new Traffic(origin);
      cleanups.push(() => traffic.stop());
      traffic.start();
      await traffic.settle(0, 40, 2);
    });

    let killedAt = Infinity;
    let replacedAt = Infinity;

    test('pm2 reload replaces every worker while not a single request fails', async (t) => {
      const before = await workers();
      const reloadStarted = Date.now();
      await pm2('reload', 'epicbook');
      const reloadEnded = Date.now();
      await waitFor(() => allOnline(WORKERS), `${WORKERS} workers online after the reload`, 30_000);
      await traffic.settle(reloadEnded, 40, 2);
      const afterReload = await workers();
      for (const old of before) assert.ok(!afterReload.some((p) => p.pid === old.pid), `worker ${old.pm_id} (pid ${old.pid}) was replaced`);

      const during = traffic.samples.filter((s) => s.started >= reloadStarted && s.started < reloadEnded);
      t.diagnostic(`reload took ${reloadEnded - reloadStarted} ms; ${during.length} requests started during it`);
      assert.ok(during.length >= 20, `the stream kept flowing during the reload (${during.length} requests)`);
      const failed = traffic.failures();
      assert.equal(failed.length, 0, `requests failed up to and through the reload:\n${describeFailures(failed)}`);
    });

    test('SIGKILL of one worker: only its requests in flight fail, and PM2 starts a new one', async (t) => {
      const [victim] = await workers();
      killedAt = Date.now();
      process.kill(victim.pid, 'SIGKILL');
      await waitFor(async () => {
        const list = await workers();
        const slot = list.find((p) => p.pm_id === victim.pm_id);
        return list.length === WORKERS && !!slot && slot.pid !== victim.pid && list.every((p) => p.status === 'online' && p.pid > 0);
      }, `PM2 to replace worker ${victim.pm_id}`, 30_000);
      replacedAt = Date.now();
      await traffic.settle(replacedAt, 40, 3);
      await traffic.stop();

      const failed = traffic.failures(killedAt);
      t.diagnostic(`SIGKILL: ${failed.length} failed request(s); replacement online after ${replacedAt - killedAt} ms`);
      // Each browser has one connection and one request at a time: at most one can be lost with the worker.
      const loops = new Set(failed.map((s) => s.loop));
      assert.equal(loops.size, failed.length, `a browser lost more than its one request in flight:\n${describeFailures(failed)}`);
      assert.ok(failed.every((s) => s.started < replacedAt), `only requests sent to the dead worker fail:\n${describeFailures(failed)}`);
      const late = traffic.samples.filter((s) => !s.ok && s.started >= replacedAt);
      assert.equal(late.length, 0, `the stream recovers once the new worker is up:\n${describeFailures(late)}`);

      // The browsers reconnected while only the survivor was up; new connections reach the new worker too.
      const replacement = (await workers()).find((p) => p.pm_id === victim.pm_id)!;
      for (let i = 0; i < 2 * WORKERS; i++) assert.equal(await getOnNewConnection(`${origin}/healthz`), 200);
      const outLog = path.join(work, 'logs', 'epicbook-out.log');
      await waitFor(() => requestsLoggedBy(outLog, replacement.pid, '/healthz') > 0, `the new worker (pid ${replacement.pid}) to serve requests`, 5_000);
    });

    test('every confirmed order is in the database, and stock went down by exactly what was ordered', async (t) => {
      await traffic.stop();
      const total = traffic.samples.length;
      t.diagnostic(`${dialect}: ${total} requests, ${traffic.confirmed.length} orders confirmed; failed: ${traffic.failures(0, killedAt).length} before the kill, ${traffic.failures(killedAt).length} after it`);
      assert.ok(traffic.confirmed.length >= 5, 'orders were placed');

      const db = await openDatabase(databaseUrl);
      try {
        const lines = await db.sequelize.query<{ orderId: number; bookId: number; quantity: number }>(
          'SELECT c.id AS orderId, cb.BookId AS bookId, cb.quantity AS quantity FROM Checkouts c JOIN Cartbooks cb ON cb.CartId = c.CartId',
          { type: QueryTypes.SELECT },
        );
        const byOrder = new Map<number, Array<{ bookId: number; quantity: number }>>();
        const sold = new Map<number, number>();
        for (const line of lines) {
          const id = Number(line.orderId);
          byOrder.set(id, [...(byOrder.get(id) ?? []), { bookId: Number(line.bookId), quantity: Number(line.quantity) }]);
          sold.set(Number(line.bookId), (sold.get(Number(line.bookId)) ?? 0) + Number(line.quantity));
        }
        for (const order of traffic.confirmed) {
          assert.deepEqual(byOrder.get(order.id), [{ bookId: order.bookId, quantity: 1 }], `confirmed order ${order.id} is stored as placed`);
        }
        // An order can commit while its answer is lost with the killed worker; never more than those.
        const unconfirmed = byOrder.size - traffic.confirmed.length;
        t.diagnostic(`${byOrder.size} orders stored: ${traffic.confirmed.length} confirmed, ${unconfirmed} committed but unanswered`);
        assert.ok(unconfirmed >= 0 && unconfirmed <= traffic.unconfirmedCheckouts,
          `${byOrder.size} orders stored, ${traffic.confirmed.length} confirmed, ${traffic.unconfirmedCheckouts} unanswered`);

        const stock = await db.sequelize.query<{ id: number; inventory: number }>('SELECT id, inventory FROM Books', { type: QueryTypes.SELECT });
        for (const row of stock) {
          const id = Number(row.id);
          assert.equal(Number(row.inventory), initialStock.get(id)! - (sold.get(id) ?? 0), `stock of book ${id}`);
        }
        if (unconfirmed === 0) {
          const confirmedPerBook = new Map<number, number>();
          for (const order of traffic.confirmed) confirmedPerBook.set(order.bookId, (confirmedPerBook.get(order.bookId) ?? 0) + 1);
          for (const id of BOOK_IDS) assert.equal(sold.get(id) ?? 0, confirmedPerBook.get(id) ?? 0, `book ${id}: sold = confirmed`);
        }
        if (dialect === 'sqlite') {
          const [mode] = await db.sequelize.query<{ journal_mode: string }>('PRAGMA journal_mode', { type: QueryTypes.SELECT });
          assert.equal(mode.journal_mode, 'wal', 'the shared SQLite file is in WAL mode');
        }
      } finally {
        await db.close();
      }
    });

    test('workers log JSON lines to one merged file, and logrotate rotates it while PM2 keeps writing', async (t) => {
      const logs = path.join(work, 'logs');
      const out = path.join(logs, 'epicbook-out.log');
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      assert.ok(lines.length > 100, 'request logs reach the out file');
      for (const line of lines) assert.equal(typeof JSON.parse(line).time, 'number', `a pino JSON line, unprefixed: ${line.slice(0, 80)}`);
      const pids = new Set(lines.map((l) => JSON.parse(l).pid as number));
      assert.ok(pids.size >= WORKERS + 1, `every worker writes to the one file (pids ${[...pids].join(', ')})`);

      const missing = toolOrSkip('logrotate', 'logrotate');
      if (missing) return t.skip(missing);
      const { username } = userInfo();
      const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
      const conf = path.join(work, 'logrotate.conf');
      const rules = readFileSync(LOGROTATE, 'utf8').replaceAll('/var/log/epicbook/', `${logs}/`).replace(/\bsu epicbook epicbook\b/, `su ${username} ${group}`);
      assert.notEqual(rules, readFileSync(LOGROTATE, 'utf8'), 'the rules name /var/log/epicbook');
      writeFileSync(conf, rules);
      chmodSync(conf, 0o644);
      execFileSync('logrotate', ['--force', '--state', path.join(work, 'logrotate.state'), conf], { encoding: 'utf8' });

      assert.ok(existsSync(`${out}.1`), 'the old lines were moved aside');
      assert.ok(readFileSync(`${out}.1`, 'utf8').split('\n').length >= lines.length);
      for (let i = 0; i < 5; i++) assert.equal((await fetch(`${origin}/books`)).status, 200);
      await waitFor(() => readFileSync(out, 'utf8').includes('"url":"/books"'), 'new lines in the rotated-to file');
      const fresh = readFileSync(out, 'utf8');
      assert.ok(fresh.length < lines.join('\n').length, 'PM2 writes on at the start of the truncated file');
      assert.ok(fresh.startsWith('{') && !fresh.includes('\0'), 'no hole of NUL bytes where the old lines were');
    });
  });
}
