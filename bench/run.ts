/**
 * The benchmark: the production build on a fresh database, a bare Express "hello" as this
 * machine's yardstick, every scenario at each connection level, a table, bench/results.json, and an
 * exit code that fails on any error or wrong stock. Targets are reported as met or missed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { projectRoot } from '../config';
import { parseOptions, UsageError, USAGE, type BenchOptions } from './options';
import { cpuSeconds, freePort, peakRssMb, pm2NodeArgs, rssMb, startProcess, stopProcess, tail, type Started } from './processes';
import { benchBooks, benchDatabase, openDirect, ordersPlaced, stockOf, stockUp } from './database';
import { scenarioPlans, Tally, type StoreMap } from './scenarios';
import { formatTable, memoryLine, peakReachedDuring, processTargets, rowFor, targetFor, type Measurement, type ProcessFacts, type ScenarioName } from './report';
import { Visitor } from './visitor';

const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password' };
const BUYABLE_BOOKS = 12;
/** So no scenario can sell a book out however long it runs. */
const BENCH_STOCK = 10_000_000;
// Words a shopper types; not stopwords only, which the store answers without a lookup (lib/search-text.ts).
const SEARCH_TERMS = ['harry', 'love', 'war', 'king'];

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function measure(server: Started, name: Measurement['scenario'], connections: number, seconds: number, plan: Partial<autocannon.Options>, tally?: Tally): Promise<Measurement> {
  const cpuBefore = cpuSeconds(server.child.pid!);
  const result = await autocannon({ url: server.url, connections, duration: seconds, timeout: 10, ...plan });
  const cpuUsed = cpuSeconds(server.child.pid!) - cpuBefore;
  const statusCounts: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCounts[code] = Number(count ?? 0);
  const failedStatuses = Object.entries(statusCounts).filter(([code]) => Number(code) >= 400).reduce((sum, [, n]) => sum + n, 0);
  const problems = [...(tally?.problems ?? [])];
  if (failedStatuses) problems.push(`statuses: ${JSON.stringify(statusCounts)}`);
  if (result.resets) problems.push(`${result.resets} request sequences broke off (a step had nothing to send)`);
  if (result.errors) problems.push(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  const requests = result.requests.total;
  const measured: Measurement = {
    scenario: name,
    connections,
    durationSeconds: result.duration,
    requests,
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMsPerRequest: requests > 0 ? (cpuUsed * 1000) / requests : undefined,
    errors: result.errors + failedStatuses + result.resets + (tally?.wrong ?? 0),
    statusCounts,
    problems,
  };
  // The yardstick is another process; only the store's memory is the concern.
  if (name !== 'yardstick') measured.peakRssMb = peakRssMb(server.child.pid!);
  if (tally && name === 'checkout') {
    measured.orders = tally.orders;
    measured.ordersPerSecond = tally.orders / result.duration;
  }
  return measured;
}

/** Finds the pages the scenarios load, from the store's own links (so they are canonical). */
async function mapStore(url: string, bookIds: number[], orderEmail: string): Promise<StoreMap> {
  const get = async (p: string, init: RequestInit = {}) => {
    const response = await fetch(url + p, { redirect: 'manual', ...init });
    return { response, body: await response.text() };
  };
  const home = await get('/');
  const category = /href="(\/category\/[^"]+)"/.exec(home.body)?.[1];
  const book = /href="(\/books\/\d+-[^"]+)"/.exec(home.body)?.[1];
  if (!category || !book) throw new Error('the home page links to no category or no book');
  const books = await get('/books');
  // Handlebars escapes "=" in attributes as &#x3D;.
  const pages = [...books.body.matchAll(/href="\/books\?page(?:=|&#x3D;)(\d+)"/g)].map((m) => Number(m[1]));
  const booksLastPagePath = pages.length ? `/books?page=${Math.max(...pages)}` : '/books';
  const buyablePaths = [];
  for (const id of bookIds) {
    const { response } = await get(`/books/${id}`);
    const location = response.headers.get('location');
    if (response.status !== 301 || !location) throw new Error(`/books/${id} did not redirect to its canonical page (${response.status})`);
    buyablePaths.push({ id, path: location });
  }
  return {
    categoryPath: category,
    bookPath: book,
    booksLastPagePath,
    searchPaths: SEARCH_TERMS.map((t) => `/search?q=${encodeURIComponent(t)}`),
    buyablePaths,
    adminCookie: await signIn(url),
    orderEmail,
  };
}

async function signIn(url: string): Promise<string> {
  const visitor = new Visitor();
  const form = await fetch(`${url}/login`);
  visitor.remember({ 'set-cookie': form.headers.getSetCookie() });
  visitor.readToken(await form.text());
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor.cookieHeader() ?? '' },
    body: new URLSearchParams({ _csrf: visitor.csrfToken ?? '', email: ADMIN.email, password: ADMIN.password }),
  });
  await response.arrayBuffer();
  visitor.remember({ 'set-cookie': response.headers.getSetCookie() });
  if (response.status !== 303) throw new Error(`the bench admin could not sign in (${response.status})`);
  const check = await fetch(`${url}/admin`, { headers: { cookie: visitor.cookieHeader() ?? '' }, redirect: 'manual' });
  await check.arrayBuffer();
  if (check.status !== 200) throw new Error(`the admin dashboard answered ${check.status} to the signed-in bench admin`);
  return visitor.cookieHeader()!;
}

function machine() {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    // Other work on the machine skews every number, the yardstick's included: worth knowing.
    loadAverageAtEnd: loadavg().map((n) => Number(n.toFixed(2))),
  };
}

async function main(options: BenchOptions): Promise<number> {
  const failures: string[] = [];
  if (options.build) {
    log('building (npm run build)');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: projectRoot, stdio: 'inherit' });
  }
  const logDir = mkdtempSync(path.join(tmpdir(), 'epicbook-bench-'));
  const database = await benchDatabase({ dialect: options.database, file: options.databaseFile });
  log(`database: ${database.describe}; logs in ${logDir}`);
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    SESSION_SECRET: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ADMIN_NAME: 'Bench Admin',
    ...database.env,
    ...options.appEnv,
  };
  // The node flags PM2 starts each worker with, so memory is measured as production runs.
  const appArgs = [...pm2NodeArgs(), ...options.nodeFlags, 'dist/server.js'];
  const children: Started[] = [];
  const selected = <T extends { name: string }>(plans: T[]) => (options.only.length ? plans.filter((p) => options.only.includes(p.name)) : plans);
  try {
    // First start: migrations, the catalog seed (unless the database has one) and the admin.
    const first = await startProcess({ name: 'app-first-start', args: appArgs, cwd: projectRoot, env, port, readyPath: '/readyz', logDir });
    await stopProcess(first.child);
    log(`first start (${options.existing ? 'existing database' : 'creates the database'}): ready in ${Math.round(first.readyMs)} ms`);

    const direct = await openDirect(database.env);
    const bookIds = await benchBooks(direct, BUYABLE_BOOKS);
    if (bookIds.length === 0) throw new Error('the catalog has no listed book');
    await stockUp(direct, bookIds, BENCH_STOCK);
    const stockBefore = await stockOf(direct, bookIds);

    // The admin exists now; ADMIN_EMAIL is a first-start bootstrap, and with its password set every
    // start would also verify that password (a deliberately slow scrypt) before it is ready.
    const { ADMIN_EMAIL: _email, ADMIN_PASSWORD: _password, ADMIN_NAME: _name, ...runEnv } = env;
    const app = await startProcess({ name: 'app', args: appArgs, cwd: projectRoot, env: runEnv, port, readyPath: '/readyz', logDir });
    children.push(app);
    const atReady = { rssMb: rssMb(app.child.pid!), peakRssMb: peakRssMb(app.child.pid!) };
    log(`second start (database exists): ready in ${Math.round(app.readyMs)} ms, RSS ${atReady.rssMb.toFixed(1)} MB`);
    const yardPort = await freePort();
    const yardstick = await startProcess({
      name: 'yardstick', args: ['--import', 'tsx', 'bench/yardstick.ts'], cwd: projectRoot,
      env: { PATH: env.PATH, NODE_ENV: 'production', PORT: String(yardPort) }, port: yardPort, readyPath: '/', logDir,
    });
    children.push(yardstick);

    const store = await mapStore(app.url, bookIds, `bench-${Date.now()}-${process.pid}@example.com`);
    log(`pages: ${store.categoryPath}, ${store.bookPath}, ${store.booksLastPagePath}`);

    const measurements: Measurement[] = [];
    const yardsticks = new Map<number, number>();
    // Orders the store confirmed, and order posts still unanswered when a measurement ended (autocannon
    // drops them; the store may or may not have placed them).
    const orders = { confirmed: 0, cutOff: 0 };
    const countOrders = (tally: Tally | undefined) => {
      if (!tally) return;
      orders.confirmed += tally.orders;
      orders.cutOff += tally.orderPostsSent - tally.orderPostsAnswered;
    };

    let afterWarmup: { rssMb: number; peakRssMb: number } | undefined;
    if (options.warmupSeconds > 0) {
      log(`warming up (${options.warmupSeconds} s per scenario, not counted)`);
      const tallies = new Map<ScenarioName, Tally>();
      const plans = selected(scenarioPlans(store, (name) => tallies.get(name) ?? tallies.set(name, new Tally()).get(name)!));
      for (const plan of plans) {
        const m = await measure(app, plan.name, options.connections[0], options.warmupSeconds, plan.options, tallies.get(plan.name));
        countOrders(tallies.get(plan.name));
        if (m.errors) failures.push(`warm-up ${plan.name}: ${m.problems?.join('; ')}`);
      }
      afterWarmup = { rssMb: rssMb(app.child.pid!), peakRssMb: peakRssMb(app.child.pid!) };
      log(`after the warm-up: RSS ${afterWarmup.rssMb.toFixed(1)} MB, peak so far ${afterWarmup.peakRssMb.toFixed(1)} MB`);
    }

    for (const connections of options.connections) {
      const hello = await measure(yardstick, 'yardstick', connections, options.durationSeconds, {});
      yardsticks.set(connections, hello.requestsPerSecond);
      measurements.push(hello);
      log(`yardstick at ${connections} connections: ${Math.round(hello.requestsPerSecond)} req/s`);
      const tallies = new Map<ScenarioName, Tally>();
      const plans = selected(scenarioPlans(store, (name) => tallies.get(name) ?? tallies.set(name, new Tally()).get(name)!));
      for (const plan of plans) {
        const m = await measure(app, plan.name, connections, options.durationSeconds, plan.options, tallies.get(plan.name));
        countOrders(tallies.get(plan.name));
        measurements.push(m);
        log(`${plan.name} at ${connections}: ${Math.round(m.requestsPerSecond)} req/s, p99 ${m.p99Ms} ms, ${m.errors} errors`);
        if (m.errors) failures.push(`${plan.name} at ${connections} connections: ${m.problems?.join('; ')}`);
      }
    }

    const peak = peakRssMb(app.child.pid!);
    const facts: ProcessFacts = {
      peakRssMb: peak,
      firstStartMs: first.readyMs,
      readyMs: app.readyMs,
      rssReadyMb: atReady.rssMb,
      rssWarmMb: afterWarmup?.rssMb,
      peakDuring: peakReachedDuring(peak, atReady.peakRssMb, afterWarmup?.peakRssMb, measurements),
    };
    await stopProcess(app.child);
    await stopProcess(yardstick.child);

    const stockAfter = await stockOf(direct, bookIds);
    const placed = await ordersPlaced(direct, store.orderEmail);
    await direct.close();
    // Stock must fall by exactly the copies in the orders the database holds, and those orders must be
    // the ones the store confirmed, plus at most the posts cut off at the end of a measurement.
    const stock = {
      before: stockBefore,
      after: stockAfter,
      unitsInOrders: placed.units,
      ordersInDatabase: placed.orders,
      ordersConfirmed: orders.confirmed,
      orderPostsCutOff: orders.cutOff,
      correct: stockBefore - stockAfter === placed.units,
      ordersMatch: placed.orders >= orders.confirmed && placed.orders <= orders.confirmed + orders.cutOff,
    };
    if (!stock.correct) failures.push(`stock fell by ${stockBefore - stockAfter}, but the orders hold ${placed.units} copies`);
    if (!stock.ordersMatch) {
      failures.push(`the database holds ${placed.orders} orders; the store confirmed ${orders.confirmed} (${orders.cutOff} more were cut off unanswered)`);
    }

    const rows = measurements.map((m) => rowFor(m, yardsticks.get(m.connections) ?? 0));
    const processRows = processTargets(facts);
    const targets = [
      ...measurements.flatMap((m) => {
        const t = targetFor(m, yardsticks.get(m.connections) ?? 0);
        return t ? [{ scenario: m.scenario, connections: m.connections, ...t }] : [];
      }),
      ...processRows.map((t) => ({ scenario: 'process', connections: null, ...t })),
    ];
    const table = formatTable(rows);
    const summary = [
      table,
      '',
      ...processRows.map((t) => `${t.label}: ${t.value} — ${t.met ? 'met' : 'MISSED'}`),
      memoryLine(facts),
      `first start (creates the database): ${Math.round(facts.firstStartMs)} ms`,
      `stock of the ${bookIds.length} books bought: ${stockBefore} − ${placed.units} copies in ${placed.orders} orders = ${stockAfter} — ${stock.correct ? 'exact' : 'WRONG'}`
        + `; orders confirmed ${orders.confirmed}, cut off unanswered at the end of a measurement ${orders.cutOff} — ${stock.ordersMatch ? 'consistent' : 'INCONSISTENT'}`,
    ].join('\n');
    console.log(summary);

    const report = {
      machine: machine(),
      options: { ...options, database: database.describe },
      database: options.database,
      measurements,
      process: facts,
      stock,
      targets,
      failures,
      table: summary,
    };
    writeFileSync(path.resolve(projectRoot, options.resultsFile), `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${options.resultsFile}`);
  } catch (error) {
    failures.push((error as Error).message);
    for (const c of children) log(`${path.basename(c.logFile)} ends with:\n${tail(c.logFile)}`);
  } finally {
    for (const c of children) await stopProcess(c.child);
    await database.cleanUp();
    // The servers' logs are kept only when something went wrong.
    if (failures.length === 0) rmSync(logDir, { recursive: true, force: true });
    else log(`server logs kept in ${logDir}`);
  }
  for (const f of failures) log(`FAILED: ${f}`);
  return failures.length ? 1 : 0;
}

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  if (error.message) console.error(error.message);
  console.error(USAGE);
  process.exit(error.message ? 2 : 0);
}
main(options).then((code) => process.exit(code), (error) => {
  console.error(error);
  process.exit(1);
});
