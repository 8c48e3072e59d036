/**
 * The real nginx with deploy/nginx/* (paths and ports substituted for a temp dir) in front of the
 * real compiled app: pages, static files, gzip, forwarded addresses, /metrics, the JSON access log,
 * rate limits, upload size, TLS with its redirect and Secure cookie, and two app processes sharing
 * one shopper's cart behind one upstream.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { freePort, projectRoot, startChild, toolOrSkip, waitFor, type Child } from './support';

const nginxMissing = toolOrSkip('nginx', 'nginx');
const opensslMissing = nginxMissing || toolOrSkip('openssl', 'openssl');

// Production runs on MySQL, so two processes share it here whenever a test server is configured.
if (process.env.TEST_MYSQL_URL) process.env.TEST_DB = 'mysql';
type Helpers = typeof import('../helpers');
let helpers: Helpers;

const DOMAIN = 'epicbook.example.com';
const SESSION_SECRET = randomBytes(32).toString('hex');
const NGINX_ROOT = path.join(projectRoot, 'deploy/nginx');

const cleanups: Array<() => unknown> = [];
after(async () => {
  // Last registered, first undone: nginx before the apps, the apps before their database and dirs.
  // One failing step must not leave the others' processes running.
  const failures: unknown[] = [];
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch((e: unknown) => failures.push(e));
  if (failures.length) throw failures[0];
});

function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `epicbook-${label}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// A small HTTP client: fresh connection per request, a chosen source address, no decompression.

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

interface Send {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Source address: any 127.x.y.z reaches nginx on 127.0.0.1 and looks like another client. */
  from?: string;
  tls?: { ca: string };
}

function send(port: number, target: string, options: Send = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = {
      host: '127.0.0.1',
      port,
      path: target,
      method: options.method ?? 'GET',
      headers: options.headers,
      localAddress: options.from,
      agent: false as const,
    };
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    };
    const req = options.tls
      ? https.request({ ...common, ca: options.tls.ca, servername: DOMAIN }, onResponse)
      : http.request(common, onResponse);
    // nginx may answer (413) before it has read a large body; the answer is what we want then.
    req.on('error', reject);
    req.end(options.body);
  });
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** One browser tab: keeps cookies, knows its CSRF token, remembers every Set-Cookie it got. */
class Browser {
  private cookies = new Map<string, string>();
  readonly setCookies: string[] = [];
  readonly requestIds: string[] = [];
  private token = '';

  constructor(private port: number, private base: Send = {}) {}

  async request(target: string, options: Send = {}): Promise<Reply> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = { ...this.base.headers, ...options.headers, ...(cookie ? { Cookie: cookie } : {}) };
    const reply = await send(this.port, target, { ...this.base, ...options, headers });
    for (const line of [reply.headers['set-cookie'] ?? []].flat()) {
      this.setCookies.push(line);
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const id = reply.headers['x-request-id'];
    if (typeof id === 'string') this.requestIds.push(id);
    return reply;
  }

  async post(target: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
    if (!this.token) this.token = helpers.csrfFrom((await this.request('/')).text);
    return this.request(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: form({ _csrf: this.token, ...fields }),
    });
  }

  /** The attributes of the last Set-Cookie for this cookie, lower-cased (e.g. ["httponly", "secure"]). */
  cookieFlags(name: string): string[] {
    const line = this.setCookies.filter((l) => l.startsWith(`${name}=`)).at(-1);
    assert.ok(line, `no ${name} cookie was set; got: ${this.setCookies.join(' | ')}`);
    return line.split(';').slice(1).map((a) => a.trim().toLowerCase().split('=')[0]);
  }
}

// ---------------------------------------------------------------------------------------------
// The app and nginx as processes.

interface App {
  port: number;
  proc: Child;
}

async function startApp(dbEnv: Record<string, string>): Promise<App> {
  const port = await freePort();
  const proc = startChild(process.execPath, ['dist/server.js'], {
    NODE_ENV: 'production',
    SESSION_SECRET,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    ...dbEnv,
  });
  cleanups.push(() => proc.stop());
  await waitFor(async () => {
    if (proc.child.exitCode !== null) throw new Error(`the app exited:\n${proc.output()}`);
    return send(port, '/readyz').then((r) => r.status === 200, () => false);
  }, `the app on port ${port}`, 45_000);
  return { port, proc };
}

/** The app's pino line for one request, found by the X-Request-Id it answered with. */
async function appLogLine(app: App, requestId: string): Promise<Record<string, unknown>> {
  const find = () => app.proc.output().split('\n').find((l) => l.includes(`"id":"${requestId}"`) && l.includes('"res"'));
  await waitFor(() => Boolean(find()), `the app's log line for request ${requestId}`, 5_000);
  return JSON.parse(find()!) as Record<string, unknown>;
}

/** Copies a file from deploy/nginx with each well-known string replaced; each must be there. */
function render(file: string, replacements: Array<[string, string]>, to: string): void {
  let text = readFileSync(path.join(NGINX_ROOT, file), 'utf8');
  for (const [from, by] of replacements) {
    assert.ok(text.includes(from), `${file} no longer contains "${from}"; update the test's substitutions`);
    text = text.split(from).join(by);
  }
  mkdirSync(path.dirname(to), { recursive: true });
  writeFileSync(to, text);
}

interface NginxSetup {
  appPorts: number[];
  tls?: boolean;
}

class Nginx {
  readonly prefix = tempDir('nginx');
  readonly conf = path.join(this.prefix, 'nginx.conf');
  httpPort = 0;
  httpsPort = 0;
  proc?: Child;

  async configure({ appPorts, tls = false }: NginxSetup): Promise<void> {
    this.httpPort = await freePort();
    if (tls) this.httpsPort = await freePort();
    const p = this.prefix;
    for (const dir of ['logs', 'sites-enabled', 'acme/.well-known/acme-challenge']) mkdirSync(path.join(p, dir), { recursive: true });

    render('epicbook.conf', [
      ['server 127.0.0.1:8080;', appPorts.map((port) => `server 127.0.0.1:${port};`).join('\n    ')],
      ['listen 80;', `listen 127.0.0.1:${this.httpPort};`],
      ['/var/log/nginx/', `${p}/logs/`],
      ['/var/www/letsencrypt', `${p}/acme`],
    ], path.join(p, 'sites-enabled/epicbook'));
    // Included as "snippets/epicbook-app.conf", relative to the directory of nginx.conf.
    render('snippets/epicbook-app.conf', [['/srv/epicbook/current/', `${projectRoot}/`]], path.join(p, 'snippets/epicbook-app.conf'));
    if (tls) {
      render('epicbook-tls.conf', [
        ['listen 80 default_server;', `listen 127.0.0.1:${this.httpPort} default_server;`],
        ['listen 443 ssl', `listen 127.0.0.1:${this.httpsPort} ssl`],
        ['/etc/letsencrypt/', `${p}/letsencrypt/`],
        ['/var/log/nginx/', `${p}/logs/`],
        ['/var/www/letsencrypt', `${p}/acme`],
      ], path.join(p, 'sites-enabled/epicbook-tls'));
    }

    // The http block copies what Debian's and Ubuntu's nginx.conf set there (gzip on, TLS 1.0+,
    // an access log), so a site file that repeats one of them fails here as it would on the host.
    writeFileSync(this.conf, [
      // As root, workers would otherwise run as nobody and not read the checkout or temp dirs.
      process.getuid?.() === 0 ? 'user root;' : '',
      'worker_processes 1;',
      `pid ${p}/nginx.pid;`,
      'events { worker_connections 256; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      '  default_type application/octet-stream;',
      '  sendfile on;',
      '  tcp_nopush on;',
      '  ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;',
      '  ssl_prefer_server_ciphers on;',
      `  access_log ${p}/logs/access.log;`,
      '  gzip on;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${p}/tmp-${t};`),
      `  include ${p}/sites-enabled/*;`,
      '}',
      '',
    ].join('\n'));
  }

  /** `nginx -t`: must pass without a single warning. */
  check(): string {
    const run = spawnSync('nginx', ['-t', '-c', this.conf, '-p', `${this.prefix}/`, '-e', 'stderr'], { encoding: 'utf8' });
    const out = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 0, `nginx -t failed:\n${out}`);
    assert.doesNotMatch(out, /\[(warn|emerg|alert|crit)\]/, `nginx -t warned:\n${out}`);
    return out;
  }

  async start(): Promise<void> {
    this.check();
    const proc = startChild('nginx', ['-c', this.conf, '-p', `${this.prefix}/`, '-e', 'stderr', '-g', 'daemon off;'], {});
    this.proc = proc;
    cleanups.push(() => proc.stop('SIGTERM'));
    await waitFor(async () => {
      if (proc.child.exitCode !== null) throw new Error(`nginx exited:\n${proc.output()}`);
      return send(this.httpPort, '/healthz').then(() => true, () => false);
    }, 'nginx to listen');
  }

  accessLog(): Array<Record<string, unknown>> {
    const file = path.join(this.prefix, 'logs/epicbook.access.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`an access log line is not JSON: ${line}`);
      }
    });
  }

  /** The access log line of one request, found by a marker in its query string. */
  async logLine(marker: string): Promise<Record<string, unknown>> {
    const find = () => this.accessLog().find((l) => String(l.path).includes(marker));
    await waitFor(() => Boolean(find()), `the access log line for ${marker}`, 5_000);
    return find()!;
  }
}

function isNginx429(reply: Reply): boolean {
  // The app's own answers always carry its X-Request-Id; nginx's never do.
  return reply.status === 429 && reply.headers['x-request-id'] === undefined;
}

// ---------------------------------------------------------------------------------------------

describe('nginx in front of the app (deploy/nginx)', { skip: nginxMissing }, () => {
  let app: App;
  let dbEnv: Record<string, string>;
  const nginx = new Nginx();

  before(async () => {
    assert.ok(existsSync(path.join(projectRoot, 'dist/server.js')), 'dist/server.js is missing: run npm run build first');
    // Loaded only now, so that helpers' testDialect sees the TEST_DB set above.
    helpers = require('../helpers') as Helpers;
    const db = await helpers.createTestDatabase();
    cleanups.push(() => db.drop());
    dbEnv = db.env;
    app = await startApp(dbEnv);
    await nginx.configure({ appPorts: [app.port] });
    await nginx.start();
  });

  describe('plain HTTP', () => {
    test('nginx -t passes on the site inside a Debian-like http block', () => {
      assert.match(nginx.check(), /test is successful/);
    });

    test('pages go through to the app', async () => {
      const home = await send(nginx.httpPort, '/');
      assert.equal(home.status, 200);
      assert.match(home.text, /data-cart-count="0"/);
      assert.ok(home.headers['x-request-id'], 'the page should come from the app (it sets X-Request-Id)');
      assert.equal(home.headers.server, 'nginx', 'server_tokens off: no version number');
      // The app's redirects stay on nginx's address (relative Location, nothing about port 8080).
      const short = await send(nginx.httpPort, '/books/1');
      assert.equal(short.status, 301);
      assert.match(String(short.headers.location), /^\/books\/1-[a-z0-9-]+$/);
      const book = await send(nginx.httpPort, String(short.headers.location));
      assert.equal(book.status, 200);
      assert.match(book.text, /name="_csrf"/);
      assert.equal((await send(nginx.httpPort, '/no-such-page')).status, 404);
    });

    test('static files come from disk, by nginx: 7-day cache headers, for good when versioned', async () => {
      const files: Array<[string, string, RegExp]> = [
        ['/assets/css/app.css', 'public/css/app.css', /^text\/css/],
        ['/assets/js/app.js', 'public/js/app.js', /javascript/],
        ['/assets/img/logo.svg', 'public/img/logo.svg', /^image\/svg\+xml/],
        ['/assets/vendor/pico/pico.red.min.css', 'node_modules/@picocss/pico/css/pico.red.min.css', /^text\/css/],
      ];
      for (const [url, file, type] of files) {
        const reply = await send(nginx.httpPort, url);
        assert.equal(reply.status, 200, url);
        assert.ok(reply.body.equals(readFileSync(path.join(projectRoot, file))), `${url} should be the bytes of ${file}`);
        assert.match(String(reply.headers['content-type']), type, url);
        assert.equal(reply.headers['cache-control'], 'max-age=604800', url);
        const expires = Date.parse(String(reply.headers.expires));
        assert.ok(Math.abs(expires - Date.now() - 7 * 86_400_000) < 120_000, `${url} Expires ${reply.headers.expires}`);
        assert.equal(reply.headers['x-content-type-options'], 'nosniff', url);
        // Served by the app, it would carry the app's X-Request-Id and helmet's CSP.
        assert.equal(reply.headers['x-request-id'], undefined, `${url} was served by the app, not nginx`);
        assert.equal(reply.headers['content-security-policy'], undefined, url);
      }
      // The layout's links carry each file's version; those URLs are kept for good.
      const home = await send(nginx.httpPort, '/');
      const links = [...home.text.matchAll(/(?:href|src)="(\/assets\/[^"]+\?v&#x3D;[0-9a-f]{12})"/g)].map((m) => m[1].replace('&#x3D;', '='));
      assert.equal(links.length, 3, 'Pico, app.css and app.js');
      for (const link of links) {
        const reply = await send(nginx.httpPort, link);
        assert.equal(reply.status, 200, link);
        assert.equal(reply.headers['x-request-id'], undefined, `${link} was served by the app, not nginx`);
        assert.equal(reply.headers['cache-control'], 'max-age=315360000', link);
        assert.ok(Date.parse(String(reply.headers.expires)) - Date.now() > 5 * 365 * 86_400_000, `${link} Expires ${reply.headers.expires}`);
      }
      const madeUp = await send(nginx.httpPort, '/assets/css/app.css?v=1');
      assert.equal(madeUp.headers['cache-control'], 'max-age=604800', 'a version that is not a content hash gets the week');
      const missing = await send(nginx.httpPort, '/assets/css/nope.css');
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['x-request-id'], undefined, 'a missing asset is nginx\'s 404, not the app\'s');
    });

    test('HTML, CSS, JS and SVG are gzipped for clients that accept it', async () => {
      const gz = { 'Accept-Encoding': 'gzip' };
      const home = await send(nginx.httpPort, '/', { headers: gz });
      assert.equal(home.headers['content-encoding'], 'gzip');
      assert.match(String(home.headers.vary), /Accept-Encoding/i);
      assert.match(gunzipSync(home.body).toString('utf8'), /<html/i);
      for (const [url, file] of [['/assets/css/app.css', 'public/css/app.css'], ['/assets/js/app.js', 'public/js/app.js'],
        ['/assets/img/logo.svg', 'public/img/logo.svg'], ['/assets/vendor/pico/pico.red.min.css', 'node_modules/@picocss/pico/css/pico.red.min.css']]) {
        const reply = await send(nginx.httpPort, url, { headers: gz });
        assert.equal(reply.headers['content-encoding'], 'gzip', url);
        assert.ok(gunzipSync(reply.body).equals(readFileSync(path.join(projectRoot, file))), url);
      }
      const plain = await send(nginx.httpPort, '/assets/css/app.css');
      assert.equal(plain.headers['content-encoding'], undefined, 'no gzip without Accept-Encoding');
    });

    test('the app sees the client\'s address, never an X-Forwarded-For the client made up', async () => {
      const spoofed = await send(nginx.httpPort, '/?m=spoof', {
        from: '127.0.0.2',
        headers: { 'X-Forwarded-For': '203.0.113.7', 'X-Real-IP': '203.0.113.8' },
      });
      assert.equal(spoofed.status, 200);
      const line = await appLogLine(app, String(spoofed.headers['x-request-id']));
      // nginx connects to the app from 127.0.0.1; the shopper is 127.0.0.2.
      assert.equal(line.clientIp, '127.0.0.2', `the app logged ${JSON.stringify(line.clientIp)}`);
      assert.equal((line.req as { remoteAddress?: string }).remoteAddress, '127.0.0.1');

      const other = await send(nginx.httpPort, '/?m=other', { from: '127.0.0.3' });
      assert.equal((await appLogLine(app, String(other.headers['x-request-id']))).clientIp, '127.0.0.3');
    });

    test('/metrics is refused by nginx in every spelling, from every client, but served on the app\'s port', async () => {
      for (const from of ['127.0.0.1', '127.0.0.2']) {
        for (const url of ['/metrics', '/Metrics', '/metrics/', '//metrics', '/%6Detrics', '/metrics?format=text', '/METRICS/']) {
          const reply = await send(nginx.httpPort, url, { from });
          assert.equal(reply.status, 404, `${url} from ${from}`);
          assert.equal(reply.headers['x-request-id'], undefined, `${url} reached the app`);
          assert.doesNotMatch(reply.text, /epicbook_http_requests_total/);
        }
      }
      const direct = await send(app.port, '/metrics');
      assert.equal(direct.status, 200);
      assert.match(direct.text, /epicbook_http_requests_total/);
    });

    test('the access log is one JSON object per line with the request\'s facts', async () => {
      await send(nginx.httpPort, '/search?q=logpage', { from: '127.0.0.4' });
      await send(nginx.httpPort, '/assets/css/app.css?m=logasset', { from: '127.0.0.4' });
      const page = await nginx.logLine('q=logpage');
      for (const key of ['time', 'client', 'method', 'path', 'status', 'bytes', 'request_time', 'upstream_time']) {
        assert.ok(key in page, `no "${key}" in ${JSON.stringify(page)}`);
      }
      assert.ok(!Number.isNaN(Date.parse(String(page.time))), `time ${page.time}`);
      assert.equal(page.client, '127.0.0.4');
      assert.equal(page.method, 'GET');
      assert.equal(page.path, '/search?q=logpage');
      assert.equal(page.status, 200);
      assert.equal(typeof page.bytes, 'number');
      assert.ok((page.bytes as number) > 0);
      assert.equal(typeof page.request_time, 'number');
      assert.match(String(page.upstream_time), /^\d+\.\d{3}$/, 'a proxied request has an upstream time');
      assert.match(String(page.request_id), /^[0-9a-f-]{36}$/, 'the app\'s request id, to find its own log line');
      const asset = await nginx.logLine('m=logasset');
      assert.equal(asset.status, 200);
      assert.equal(asset.upstream_time, '', 'a static file never touches the app');
      // Every line, including the 404s and 429s of other tests, must parse.
      assert.ok(nginx.accessLog().length >= 2);
    });

    test('50 quick POSTs from one address meet nginx\'s 429 on sign-in, sign-up, cart and checkout; GETs never do', async () => {
      const targets: Array<[string, string]> = [
        ['/login', '127.0.0.11'],
        ['/register', '127.0.0.12'],
        ['/cart/items', '127.0.0.13'],
        ['/checkout', '127.0.0.14'],
        ['/api/cart/items', '127.0.0.17'],
        ['/api/checkout', '127.0.0.18'],
      ];
      for (const [url, from] of targets) {
        const api = url.startsWith('/api/');
        const statuses: number[] = [];
        for (let i = 0; i < 50; i += 1) {
          // No CSRF token: the app refuses each quickly (403) without touching the database.
          const reply = await send(nginx.httpPort, url, {
            from,
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: form({ email: 'x@example.com', password: 'guess' }),
          });
          if (reply.status === 429) {
            assert.ok(isNginx429(reply), `${url}: this 429 came from the app`);
            assert.equal(reply.headers['retry-after'], '10');
            if (api) {
              // An API client gets JSON even though it never said it accepts JSON.
              assert.match(String(reply.headers['content-type']), /^application\/json/);
              assert.equal((JSON.parse(reply.text) as { error: { code: string } }).error.code, 'too_many_requests');
            } else {
              assert.match(reply.text, /Please slow down/);
            }
          } else {
            // The API refuses a form body (415) before it looks for a token; the pages want the token (403).
            assert.equal(reply.status, api ? 415 : 403, `${url}: POST ${i + 1} answered ${reply.status}`);
          }
          statuses.push(reply.status);
        }
        assert.ok(statuses.includes(429), `${url}: 50 POSTs and not one 429`);
        // Loose enough for a shopper: the first several in a row all get through.
        assert.deepEqual(statuses.slice(0, 8), Array(8).fill(api ? 415 : 403), `${url}: ${statuses.join(',')}`);
      }

      // The same limit whatever spelling Express would route to /login; JSON for the page's script.
      const variant = await send(nginx.httpPort, '/LOGIN/', {
        from: '127.0.0.11', method: 'POST', headers: { Accept: 'application/json' }, body: '',
      });
      assert.ok(isNginx429(variant), `/LOGIN/ answered ${variant.status}`);
      assert.match(String(variant.headers['content-type']), /^application\/json/);
      assert.equal((JSON.parse(variant.text) as { error: { code: string } }).error.code, 'too_many_requests');

      // Per address: the blocked address can still browse, and another address can still sign in.
      assert.equal((await send(nginx.httpPort, '/login', { from: '127.0.0.11' })).status, 200);
      const neighbour = await send(nginx.httpPort, '/login', { from: '127.0.0.15', method: 'POST', body: '' });
      assert.equal(neighbour.status, 403);

      const browsing: number[] = [];
      for (let i = 0; i < 60; i += 1) {
        const url = ['/login', '/register', '/cart', '/checkout', '/'][i % 5];
        browsing.push((await send(nginx.httpPort, url, { from: '127.0.0.16' })).status);
      }
      assert.ok(!browsing.includes(429), `a GET was rate limited: ${browsing.join(',')}`);
    });

    test('uploads up to a little over 2 MB reach the app; larger ones get nginx\'s 413', async () => {
      const post = (bytes: number) => send(nginx.httpPort, '/admin/books', {
        from: '127.0.0.20',
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
        body: Buffer.alloc(bytes, 'a'),
      });
      const cover = await post(2.5 * 1024 * 1024);
      assert.notEqual(cover.status, 413);
      assert.ok(cover.headers['x-request-id'], `a 2.5 MB body should reach the app (got ${cover.status})`);
      const tooBig = await post(4 * 1024 * 1024);
      assert.equal(tooBig.status, 413);
      assert.equal(tooBig.headers['x-request-id'], undefined);
    });

    test('over plain HTTP the session cookie is not Secure, even when the client claims https', async () => {
      const shopper = new Browser(nginx.httpPort, { from: '127.0.0.21', headers: { 'X-Forwarded-Proto': 'https' } });
      const added = await shopper.post('/cart/items', { bookId: '1' });
      assert.equal(added.status, 303, added.text.slice(0, 300));
      const flags = shopper.cookieFlags('epicbook.sid');
      assert.ok(flags.includes('httponly'));
      assert.ok(!flags.includes('secure'), `epicbook.sid is Secure over HTTP: ${flags.join(';')}`);
      assert.equal(helpers.badgeCount((await shopper.request('/cart')).text), 1);
    });
  });

  describe('with TLS enabled (epicbook-tls.conf)', { skip: opensslMissing }, () => {
    const tlsNginx = new Nginx();
    let ca = '';

    before(async () => {
      await tlsNginx.configure({ appPorts: [app.port], tls: true });
      const live = path.join(tlsNginx.prefix, 'letsencrypt/live', DOMAIN);
      mkdirSync(live, { recursive: true });
      const made = spawnSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-subj', `/CN=${DOMAIN}`, '-addext', `subjectAltName=DNS:${DOMAIN}`,
        '-keyout', path.join(live, 'privkey.pem'), '-out', path.join(live, 'fullchain.pem'),
      ], { encoding: 'utf8' });
      assert.equal(made.status, 0, `openssl failed: ${made.stderr}`);
      ca = readFileSync(path.join(live, 'fullchain.pem'), 'utf8');
      await tlsNginx.start();
    });

    test('nginx -t passes with both site files enabled', () => {
      assert.match(tlsNginx.check(), /test is successful/);
    });

    test('port 80 answers every request with a 301 to the HTTPS name, except certbot\'s challenge', async () => {
      for (const host of [DOMAIN, `127.0.0.1:${tlsNginx.httpPort}`, 'other.example.net']) {
        const reply = await send(tlsNginx.httpPort, '/books/1?page=2', { headers: { Host: host } });
        assert.equal(reply.status, 301, `Host ${host}`);
        assert.equal(reply.headers.location, `https://${DOMAIN}/books/1?page=2`);
      }
      const post = await send(tlsNginx.httpPort, '/cart/items', { method: 'POST', body: 'bookId=1' });
      assert.equal(post.status, 301);
      writeFileSync(path.join(tlsNginx.prefix, 'acme/.well-known/acme-challenge/token-123'), 'token-123.key');
      const challenge = await send(tlsNginx.httpPort, '/.well-known/acme-challenge/token-123', { headers: { Host: DOMAIN } });
      assert.equal(challenge.status, 200);
      assert.equal(challenge.text, 'token-123.key');
    });

    test('over HTTPS: pages, static files, HSTS, and /metrics refused', async () => {
      const tls = { ca };
      const home = await send(tlsNginx.httpsPort, '/', { tls, headers: { Host: DOMAIN } });
      assert.equal(home.status, 200);
      assert.match(String(home.headers['strict-transport-security']), /max-age=\d+/);
      const css = await send(tlsNginx.httpsPort, '/assets/css/app.css', { tls, headers: { Host: DOMAIN } });
      assert.equal(css.status, 200);
      assert.equal(css.headers['cache-control'], 'max-age=604800');
      assert.equal(css.headers['x-request-id'], undefined);
      assert.equal((await send(tlsNginx.httpsPort, '/metrics', { tls, headers: { Host: DOMAIN } })).status, 404);
    });

    test('over HTTPS the session and CSRF cookies are Secure', async () => {
      const shopper = new Browser(tlsNginx.httpsPort, { tls: { ca }, headers: { Host: DOMAIN } });
      const added = await shopper.post('/cart/items', { bookId: '1' });
      assert.equal(added.status, 303, added.text.slice(0, 300));
      assert.ok(shopper.cookieFlags('epicbook.sid').includes('secure'), 'epicbook.sid should be Secure over HTTPS');
      assert.ok(shopper.cookieFlags('epicbook.csrf').includes('secure'), 'epicbook.csrf should be Secure over HTTPS');
      assert.equal(helpers.badgeCount((await shopper.request('/cart')).text), 1);
    });
  });

  describe('scale-out: two app processes behind one upstream', () => {
    let second: App;
    const pair = new Nginx();

    before(async () => {
      // The same database as the first process: sessions and carts live there, not in a process.
      second = await startApp(dbEnv);
      await pair.configure({ appPorts: [app.port, second.port] });
      await pair.start();
    });

    test('a shopper\'s cart is right on every request, whichever process serves it', async () => {
      const shopper = new Browser(pair.httpPort, { from: '127.0.0.30' });
      for (let added = 1; added <= 6; added += 1) {
        const reply = await shopper.post('/cart/items', { bookId: String(added % 2 === 0 ? 2 : 1) });
        assert.equal(reply.status, 303, `add ${added}: ${reply.status} ${reply.text.slice(0, 200)}`);
        const cart = await shopper.request('/cart');
        assert.equal(cart.status, 200);
        assert.equal(helpers.badgeCount(cart.text), added, `after ${added} adds`);
        const home = await shopper.request('/');
        assert.equal(helpers.badgeCount(home.text), added, `home after ${added} adds`);
      }

      // Proof that both processes took part, from their own logs and from nginx's.
      const servedBy = (proc: App) => shopper.requestIds.filter((id) => proc.proc.output().includes(`"id":"${id}"`));
      await waitFor(() => servedBy(app).length + servedBy(second).length === shopper.requestIds.length, 'every request in an app log', 5_000);
      assert.ok(servedBy(app).length > 0, 'the first process served none of the requests');
      assert.ok(servedBy(second).length > 0, 'the second process served none of the requests');
      const upstreams = new Set(pair.accessLog().filter((l) => l.client === '127.0.0.30').map((l) => l.upstream));
      assert.deepEqual([...upstreams].sort(), [`127.0.0.1:${app.port}`, `127.0.0.1:${second.port}`].sort());
    });
  });
});
