import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import express, { type ErrorRequestHandler, type Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../app';
import { createRequestLog } from '../../middleware/request-log';
import { markArrival } from '../../middleware/arrival';
import { csrfFrom, startTestApp, type TestApp } from '../helpers';

type Line = Record<string, unknown> & { req: Record<string, unknown>; res: Record<string, unknown> };

/** A pino logger whose lines land in `lines`, parsed. */
function capture(lines: Line[], level = 'info') {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return pino({ level }, sink);
}

/** The request lines written so far (a line is written as the response ends, just after the client has it). */
async function requestLines(lines: Line[]): Promise<Line[]> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return lines.filter((line) => line.req !== undefined);
}

// The fields pino-http wrote with the options app.ts gave it (its serializers and customProps).
const LINE_KEYS = ['clientIp', 'hostname', 'level', 'msg', 'pid', 'req', 'res', 'responseTime', 'time'];
const REQ_KEYS = ['id', 'method', 'remoteAddress', 'remotePort', 'url', 'userAgent'];

/** An app with nothing but the request log in front of a few routes that answer every way a response can. */
function loggedApp(lines: Line[], level = 'info'): Express {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(createRequestLog(capture(lines, level)).middleware);
  app.use(express.urlencoded({ extended: false }));
  const nested = express.Router();
  nested.get('/page', (_req, res) => {
    res.send('fine');
  });
  app.use('/nested', nested);
  app.get('/ok', (_req, res) => {
    res.send('fine');
  });
  app.post('/form', (req, res) => {
    res.redirect(303, `/ok?name=${encodeURIComponent(String((req.body as Record<string, unknown>).name))}`);
  });
  app.get('/broken', () => {
    throw new Error('the route broke');
  });
  app.get('/unavailable', (_req, res) => {
    res.status(503).send('later');
  });
  app.get('/stream-failed', (_req, res) => {
    res.emit('error', new Error('the body stream failed'));
    res.status(500).end();
  });
  app.get('/assets/site.css', (_req, res) => {
    res.type('css').send('body {}');
  });
  app.use(((_error, _req, res, _next) => {
    res.status(500).send('failed');
  }) as ErrorRequestHandler);
  return app;
}

describe('the request log on its own', () => {
  const lines: Line[] = [];
  let app: Express;

  before(() => {
    app = loggedApp(lines);
  });
  beforeEach(() => {
    lines.length = 0;
  });

  test('a 200: one info line with the request, the client, the status and the time, under the id it sent', async () => {
    const res = await request(app).get('/ok?x=1').set('User-Agent', 'log-test').set('Referer', 'http://shop.test/books').expect(200);
    const [line, ...more] = await requestLines(lines);
    assert.equal(more.length, 0);
    assert.deepEqual(Object.keys(line).sort(), LINE_KEYS);
    assert.equal(line.level, 30);
    assert.equal(line.msg, 'request completed');
    assert.deepEqual(Object.keys(line.req).sort(), [...REQ_KEYS, 'referer'].sort());
    assert.equal(line.req.id, res.headers['x-request-id']);
    assert.match(String(line.req.id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(line.req.method, 'GET');
    assert.equal(line.req.url, '/ok?x=1');
    assert.equal(line.req.userAgent, 'log-test');
    assert.equal(line.req.referer, 'http://shop.test/books');
    assert.equal(typeof line.req.remotePort, 'number');
    assert.deepEqual(line.res, { statusCode: 200 });
    assert.equal(typeof line.responseTime, 'number');
    assert.equal(line.clientIp, line.req.remoteAddress);
  });

  test('the fields come in pino-http\'s order, so lines read as they did', async () => {
    await request(app).get('/ok').expect(200);
    const [line] = await requestLines(lines);
    assert.deepEqual(Object.keys(line), ['level', 'time', 'pid', 'hostname', 'req', 'clientIp', 'res', 'responseTime', 'msg']);
  });

  test('the URL is the one the client asked for, also when a router answered', async () => {
    await request(app).get('/nested/page?from=test').expect(200);
    const [line] = await requestLines(lines);
    assert.equal(line.req.url, '/nested/page?from=test');
  });

  test('every response gets an id of its own', async () => {
    const first = await request(app).get('/ok').expect(200);
    const second = await request(app).get('/ok').expect(200);
    assert.notEqual(first.headers['x-request-id'], second.headers['x-request-id']);
    const ids = (await requestLines(lines)).map((line) => line.req.id);
    assert.deepEqual(ids, [first.headers['x-request-id'], second.headers['x-request-id']]);
  });

  test('behind the trusted proxy, the client is the address it forwarded for', async () => {
    await request(app).get('/ok').set('X-Forwarded-For', '203.0.113.9').expect(200);
    const [line] = await requestLines(lines);
    assert.equal(line.clientIp, '203.0.113.9');
    assert.notEqual(line.req.remoteAddress, '203.0.113.9');
  });

  test('a 404 is a warning, without an err', async () => {
    await request(app).get('/nowhere').expect(404);
    const [line] = await requestLines(lines);
    assert.equal(line.level, 40);
    assert.equal(line.msg, 'request completed');
    assert.deepEqual(line.res, { statusCode: 404 });
    assert.equal(line.err, undefined);
    assert.deepEqual(Object.keys(line).sort(), LINE_KEYS);
  });

  test('a 500 is an error, logged with an err naming the status', async () => {
    await request(app).get('/broken').expect(500);
    const [line] = await requestLines(lines);
    assert.equal(line.level, 50);
    assert.equal(line.msg, 'request errored');
    assert.deepEqual(line.res, { statusCode: 500 });
    const err = line.err as Record<string, unknown>;
    assert.equal(err.type, 'Error');
    assert.equal(err.message, 'failed with status code 500');
    assert.equal(typeof err.stack, 'string');
    assert.deepEqual(Object.keys(line).sort(), [...LINE_KEYS, 'err'].sort());
  });

  test('any 5xx is an error', async () => {
    await request(app).get('/unavailable').expect(503);
    const [line] = await requestLines(lines);
    assert.equal(line.level, 50);
    assert.equal(line.msg, 'request errored');
    assert.equal((line.err as Record<string, unknown>).message, 'failed with status code 503');
  });

  test('an error the response emits is the line\'s err, and the request is logged once', async () => {
    await request(app).get('/stream-failed').expect(500);
    const written = await requestLines(lines);
    assert.equal(written.length, 1);
    assert.equal(written[0].level, 50);
    assert.equal(written[0].msg, 'request errored');
    assert.equal((written[0].err as Record<string, unknown>).message, 'the body stream failed');
  });

  test('a POST is logged with its method and URL, never its body', async () => {
    await request(app).post('/form?from=test').type('form').send({ name: 'secret-value' }).expect(303);
    const [line] = await requestLines(lines);
    assert.equal(line.req.method, 'POST');
    assert.equal(line.req.url, '/form?from=test');
    assert.deepEqual(line.res, { statusCode: 303 });
    assert.equal(line.level, 30);
    assert.doesNotMatch(JSON.stringify(line), /secret-value/);
  });

  test('static assets get an id but no line', async () => {
    const res = await request(app).get('/assets/site.css').expect(200);
    assert.ok(res.headers['x-request-id']);
    assert.deepEqual(await requestLines(lines), []);
  });

  test('a request is timed from its arrival at the app, also when something before the log kept it (an early answer that passed it on)', async () => {
    const app = express();
    app.use(markArrival);
    // What a guest's add does before it passes a request on: a read that took its time.
    app.use((_req, _res, next) => {
      setTimeout(next, 120);
    });
    app.use(createRequestLog(capture(lines)).middleware);
    app.get('/late', (_req, res) => {
      res.send('fine');
    });
    await request(app).get('/late').expect(200);
    const [line] = await requestLines(lines);
    assert.ok(Number(line.responseTime) >= 120, `responseTime ${String(line.responseTime)} counts the wait before the log`);
  });

  test('a request whose client left before it was watched (an early answer still reading) is logged at once, as aborted', async () => {
    const app = express();
    const log = createRequestLog(capture(lines));
    let watched!: () => void;
    const done = new Promise<void>((resolve) => {
      watched = resolve;
    });
    app.get('/gone', (req, res) => {
      // Watched only once the client has gone, as an answer that was still reading would be.
      req.socket.once('close', () => {
        setImmediate(() => {
          log.watch(req, res, 'the-id');
          watched();
        });
      });
    });
    const server = app.listen(0);
    try {
      const { port } = server.address() as { port: number };
      const controller = new AbortController();
      const pending = fetch(`http://127.0.0.1:${port}/gone`, { signal: controller.signal }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      await pending;
      await done;
    } finally {
      server.close();
    }
    const [line] = await requestLines(lines);
    assert.equal(line?.msg, 'request aborted');
    assert.equal((line.req as { id: string }).id, 'the-id');
  });

  test('a response the client cut off is logged as aborted, with no status (none was sent)', async () => {
    const slow = express();
    slow.use(createRequestLog(capture(lines)).middleware);
    let reached!: () => void;
    const arrived = new Promise<void>((resolve) => {
      reached = resolve;
    });
    slow.get('/slow', () => reached());
    const server = slow.listen(0);
    try {
      const { port } = server.address() as { port: number };
      const controller = new AbortController();
      const pending = fetch(`http://127.0.0.1:${port}/slow`, { signal: controller.signal }).catch(() => undefined);
      await arrived;
      controller.abort();
      await pending;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const written = await requestLines(lines);
      assert.equal(written.length, 1);
      assert.equal(written[0].msg, 'request aborted');
      assert.equal(written[0].level, 30);
      assert.equal(written[0].req.url, '/slow');
      assert.deepEqual(written[0].res, { statusCode: null });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('below the logger\'s level nothing is written; warnings and errors still are', async () => {
    const quiet: Line[] = [];
    const app = loggedApp(quiet, 'warn');
    await request(app).get('/ok').expect(200);
    await request(app).get('/nowhere').expect(404);
    await request(app).get('/broken').expect(500);
    const written = await requestLines(quiet);
    assert.deepEqual(written.map((line) => [line.level, line.req.url]), [[40, '/nowhere'], [50, '/broken']]);
  });

  test('watch() logs a request answered outside the chain, and says whether it was sent in full', async () => {
    const log = createRequestLog(capture(lines));
    const finished: boolean[] = [];
    const outside = express();
    outside.use((req, res) => {
      log.watch(req, res, 'outside-id', (complete) => finished.push(complete));
      res.status(200).end('answered early');
    });
    await request(outside).get('/books?page=2').expect(200);
    const [line] = await requestLines(lines);
    assert.equal(line.req.id, 'outside-id');
    assert.equal(line.req.url, '/books?page=2');
    assert.equal(line.msg, 'request completed');
    assert.deepEqual(finished, [true]);
  });

  test('watch() counts the response time from when the request arrived, when told', async () => {
    const log = createRequestLog(capture(lines));
    const outside = express();
    outside.use((req, res) => {
      // Arrived a second ago, say, and answered after reads that took that long.
      log.watch(req, res, 'late-id', undefined, Date.now() - 1000);
      res.status(200).end('answered early');
    });
    await request(outside).get('/cart').expect(200);
    const [line] = await requestLines(lines);
    assert.equal(line.req.id, 'late-id');
    assert.ok((line as unknown as { responseTime: number }).responseTime >= 1000, `responseTime ${JSON.stringify(line)}`);
  });
});

describe('the request log in the app', () => {
  let t: TestApp;
  let app: Express;
  const lines: Line[] = [];

  before(async () => {
    t = await startTestApp();
    app = createApp({ config: t.config, db: t.db, logger: capture(lines) });
  });
  after(async () => t.close());
  beforeEach(() => {
    lines.length = 0;
  });

  test('a 404 page: a warning under the id the response carries', async () => {
    const res = await request(app).get('/no-such-page').expect(404);
    const [line] = await requestLines(lines);
    assert.equal(line.req.id, res.headers['x-request-id']);
    assert.equal(line.level, 40);
    assert.deepEqual(Object.keys(line).sort(), LINE_KEYS);
  });

  test('a form post through the whole chain is one line, with the redirect\'s status', async () => {
    const agent = request.agent(app);
    const page = await agent.get('/books/1').redirects(1).expect(200);
    lines.length = 0;
    await agent.post('/cart/items').type('form').send({ _csrf: csrfFrom(page.text), bookId: '1', quantity: '1' }).expect(303);
    const written = await requestLines(lines);
    assert.equal(written.length, 1);
    assert.equal(written[0].req.method, 'POST');
    assert.equal(written[0].req.url, '/cart/items');
    assert.deepEqual(written[0].res, { statusCode: 303 });
  });

  test('a refused form (bad CSRF token) is a warning', async () => {
    await request(app).post('/cart/items').type('form').send({ _csrf: 'forged', bookId: '1' }).expect(403);
    const [line] = await requestLines(lines);
    assert.equal(line.level, 40);
    assert.deepEqual(line.res, { statusCode: 403 });
  });

  test('health checks and metrics are logged like any request; assets are not', async () => {
    await request(app).get('/healthz').expect(200);
    await request(app).get('/assets/css/app.css').expect(200);
    const written = await requestLines(lines);
    assert.deepEqual(written.map((line) => line.req.url), ['/healthz']);
  });
});
