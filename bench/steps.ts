/**
 * The per-step measure: main-thread CPU per request for one kind of request at a time, which the
 * whole-scenario bench (run.ts) cannot tell apart. It starts the production build (dist/server.js,
 * with PM2's node flags) on a fresh SQLite file, gives each connection a guest with a session and one
 * book in its cart, then hammers one step at a time with autocannon and prints requests/s, p99, the
 * process's CPU and the main thread's own CPU (from /proc) per request.
 *
 *   npm run build && npx tsx bench/steps.ts [steps] [connections] [seconds]
 *
 * steps (comma-separated, default book,cart,set,anon):
 *   book  a book page for a guest with a session (answered from the page cache before the chain)
 *   cart  GET /cart for that guest (answered before the chain)
 *   set   POST /cart/items/:id, a write transaction and a redirect through the whole chain (like an add)
 *   anon  a book page for an anonymous visitor (a page cache hit)
 *
 * Linux only (it reads /proc). Measures CPU, not time: on a machine doing other work, compare the
 * main thread's CPU per request, not requests/s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { projectRoot } from '../config';
import { freePort, pm2NodeArgs } from './processes';

type Step = 'book' | 'cart' | 'set' | 'anon';
const STEPS: readonly Step[] = ['book', 'cart', 'set', 'anon'];

interface Guest {
  book: { id: string; path: string };
  token: string;
  cookie: string;
}

/** utime + stime of a process or thread, in ms (USER_HZ is 100 on Linux). */
function cpuMs(statFile: string): number {
  const fields = readFileSync(statFile, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A cookie jar of one visitor, enough for this store's three cookies. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    keep(response: Response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
    },
    drop: (name: string) => cookies.delete(name),
  };
}

async function guests(base: string, count: number): Promise<Guest[]> {
  const list = await (await fetch(`${base}/books`)).text();
  const books = [...new Map([...list.matchAll(/href="\/books\/(\d+)-([a-z0-9-]+)"/g)].map((m) => [m[1], { id: m[1], path: `/books/${m[1]}-${m[2]}` }])).values()];
  if (books.length === 0) throw new Error('no book links on /books');
  const made: Guest[] = [];
  for (let i = 0; i < count; i += 1) {
    const cookies = jar();
    const book = books[i % books.length];
    let response = await fetch(base + book.path);
    cookies.keep(response);
    const token = /name="_csrf" value="([^"]+)"/.exec(await response.text())?.[1];
    if (!token) throw new Error(`no form token on ${book.path}`);
    response = await fetch(`${base}/cart/items`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookies.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, bookId: book.id, quantity: '1' }),
    });
    cookies.keep(response);
    if (response.status !== 303) throw new Error(`the add answered ${response.status}`);
    // The cart page takes the message; the guest then carries only its session and token cookies.
    cookies.keep(await fetch(`${base}/cart`, { headers: { cookie: cookies.header() } }));
    cookies.drop('epicbook.flash');
    made.push({ book, token, cookie: cookies.header() });
  }
  return made;
}

function requestsFor(step: Step, guest: Guest): autocannon.Request[] {
  switch (step) {
    case 'book':
      return [{ method: 'GET', path: guest.book.path, headers: { cookie: guest.cookie } }];
    case 'cart':
      return [{ method: 'GET', path: '/cart', headers: { cookie: guest.cookie } }];
    case 'set':
      return [{
        method: 'POST',
        path: `/cart/items/${guest.book.id}`,
        headers: { cookie: guest.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: guest.token, quantity: '1' }).toString(),
      }];
    case 'anon':
      return [{ method: 'GET', path: guest.book.path }];
  }
}

async function main(): Promise<void> {
  const [stepsArg = STEPS.join(','), connectionsArg = '50', secondsArg = '6'] = process.argv.slice(2);
  const steps = stepsArg.split(',') as Step[];
  const unknown = steps.filter((step) => !STEPS.includes(step));
  if (unknown.length > 0) throw new Error(`unknown step ${unknown.join(', ')}; known: ${STEPS.join(', ')}`);
  const connections = Number(connectionsArg);
  const seconds = Number(secondsArg);
  const dir = mkdtempSync(path.join(tmpdir(), 'epicbook-steps-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...pm2NodeArgs(), 'dist/server.js'], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), SESSION_SECRET: randomBytes(32).toString('hex'), SQLITE_FILE: path.join(dir, 'steps.sqlite') },
  });
  try {
    for (let i = 0; ; i += 1) {
      if (i === 300) throw new Error('the store did not get ready in 15 s');
      if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const visitors = await guests(base, connections);
    for (const step of steps) {
      for (const measured of [false, true]) {
        let next = 0;
        const cpuBefore = cpuMs(`/proc/${child.pid}/stat`);
        const mainBefore = cpuMs(`/proc/${child.pid}/task/${child.pid}/stat`);
        const result = await autocannon({
          url: base,
          connections,
          duration: measured ? seconds : 3,
          requests: [{ method: 'GET', path: '/' }],
          setupClient: (client) => client.setRequests(requestsFor(step, visitors[next++ % visitors.length])),
        });
        if (!measured) continue;
        const total = result.requests.total;
        const cpu = (cpuMs(`/proc/${child.pid}/stat`) - cpuBefore) / total;
        const mainThread = (cpuMs(`/proc/${child.pid}/task/${child.pid}/stat`) - mainBefore) / total;
        const wrong = step === 'set' ? result.non2xx - (result['3xx'] ?? 0) : result.non2xx;
        console.log(`${step.padEnd(5)} ${Math.round(result.requests.average)} req/s  p99 ${result.latency.p99} ms  errors ${result.errors + wrong}  CPU ${cpu.toFixed(3)} ms/req  main thread ${mainThread.toFixed(3)} ms/req`);
      }
    }
  } finally {
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
