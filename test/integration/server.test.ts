import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../config';
import { createTestDatabase, mysqlServer, testDialect } from '../helpers';
import { freePort, waitFor } from '../deploy/support';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs server.ts as `npm start` would, with a clean environment of our choosing. */
function startServer(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}


describe('server.ts', () => {
  test('with no configuration: creates the SQLite file, migrates, seeds, serves, and stops cleanly', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'epicbook-server-'));
    dirs.push(dir);
    const port = await freePort();
    const file = path.join(dir, 'data', 'store.sqlite');
    const server = startServer({ PORT: String(port), SQLITE_FILE: file });
    await waitFor(() => server.output().includes('is ready on'), 'ready log line');
    assert.ok(existsSync(file), 'database file created');

    const home = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Discover Your Next Great Read/);
    const books = await (await fetch(`http://127.0.0.1:${port}/books`)).text();
    assert.match(books, /54 books/);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    const lines = server.output().trim().split('\n').filter((l) => l.startsWith('{'));
    assert.ok(lines.length > 0 && lines.every((l) => JSON.parse(l).level !== undefined), 'logs are JSON lines');
  });

  test('ADMIN_EMAIL and ADMIN_PASSWORD create the first admin at start; ADMIN_EMAIL alone cannot', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'epicbook-server-'));
    dirs.push(dir);
    const file = path.join(dir, 'store.sqlite');
    const port = await freePort();
    const env = { PORT: String(port), SQLITE_FILE: file, ADMIN_EMAIL: 'Owner@Example.com', ADMIN_PASSWORD: 'owner-password-1' };
    const server = startServer(env);
    await waitFor(() => server.output().includes('is ready on'), 'ready log line');
    assert.match(server.output(), /admin account created from ADMIN_EMAIL/);
    assert.doesNotMatch(server.output(), /owner-password-1/);

    // Sign in through the real form: the CSRF cookie and token come from the login page.
    const page = await fetch(`http://127.0.0.1:${port}/login`);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const login = await fetch(`http://127.0.0.1:${port}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: token, email: 'owner@example.com', password: 'owner-password-1' }),
    });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/admin');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);

    // An account that already holds the email is promoted only with its own password.
    const impostor = startServer({ PORT: '0', SQLITE_FILE: file, ADMIN_EMAIL: 'owner@example.com', ADMIN_PASSWORD: 'someone-elses-pw' });
    assert.equal(await impostor.exited, 1);
    assert.match(impostor.output(), /owner@example\.com already has an account with another password/);

    const again = startServer({ PORT: '0', SQLITE_FILE: path.join(dir, 'other.sqlite'), ADMIN_EMAIL: 'new@example.com' });
    assert.equal(await again.exited, 1);
    assert.match(again.output(), /Cannot start: ADMIN_EMAIL could not be set up \(new@example\.com has no account yet; set ADMIN_PASSWORD too\)/);
  });

  test('production without SESSION_SECRET refuses to start with a clear message', async () => {
    const server = startServer({ NODE_ENV: 'production', PORT: '0' });
    assert.equal(await server.exited, 1);
    assert.match(server.output(), /SESSION_SECRET: is required when NODE_ENV=production/);
  });

  test('an unusable database gives one clear line and no password', async () => {
    const server = startServer({ DATABASE_URL: 'mysql://shop:hunter2secret@127.0.0.1:1/bookstore', PORT: '0' });
    assert.equal(await server.exited, 1);
    assert.match(server.output(), /Cannot start: database MySQL at 127\.0\.0\.1:1\/bookstore as shop is not usable \(.*ECONNREFUSED/);
    assert.doesNotMatch(server.output(), /hunter2secret/);
  });
});

function runScript(script: string, env: Record<string, string>, args: string[] = [], input = ''): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    input,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('operator commands', () => {
  test('db:migrate and db:seed say what they did, and a second run changes nothing', async () => {
    const database = await createTestDatabase();
    try {
      const migrated = runScript('scripts/db-migrate.ts', database.env);
      assert.equal(migrated.status, 0, migrated.output);
      assert.match(migrated.output, /Migrating (SQLite file|MySQL at) .*\n\s+migrated 0001-initial-schema\n\s+migrated 0002-accounts-admin\n\s+migrated 0003-catalog-scale\n\s+migrated 0004-book-search\n\s+migrated 0005-cache-stamps\n\s+migrated 0006-stock-stamp\n\s+migrated 0007-author-search\n\s+migrated 0008-title-prefix\nDone: 8 migration\(s\) applied\./);
      assert.match(runScript('scripts/db-migrate.ts', database.env).output, /Done: already up to date\./);

      const seeded = runScript('scripts/db-seed.ts', database.env);
      assert.equal(seeded.status, 0, seeded.output);
      assert.match(seeded.output, /Done: loaded 54 books by 53 authors\./);
      assert.match(runScript('scripts/db-seed.ts', database.env).output, /the store already has books; nothing changed/);
    } finally {
      await database.drop();
    }
  });

  test('admin:create makes an admin from the shell, reading the password from standard input', async () => {
    const database = await createTestDatabase();
    try {
      const created = runScript('scripts/admin-create.ts', database.env, ['--email', 'Boss@Example.com', '--name', 'The Boss'], 'boss-password-99\n');
      assert.equal(created.status, 0, created.output);
      assert.match(created.output, /Done: created the admin account boss@example\.com/);
      assert.doesNotMatch(created.output, /boss-password-99/);
      const again = runScript('scripts/admin-create.ts', database.env, ['--email', 'boss@example.com']);
      assert.match(again.output, /boss@example\.com is already an admin; nothing changed/);

      const short = runScript('scripts/admin-create.ts', database.env, ['--email', 'other@example.com'], 'short\n');
      assert.equal(short.status, 1);
      assert.match(short.output, /admin:create failed: password: Use at least 10 characters/);
      const bad = runScript('scripts/admin-create.ts', database.env, ['--email', 'not-an-email']);
      assert.equal(bad.status, 2);
      assert.match(bad.output, /usage: npm run admin:create -- --email/);
      const typo = runScript('scripts/admin-create.ts', database.env, ['--emial', 'x@example.com']);
      assert.equal(typo.status, 2);
    } finally {
      await database.drop();
    }
  });

  test('a database that cannot be reached is one clear line and exit 1', () => {
    const result = runScript('scripts/db-migrate.ts', { DATABASE_URL: 'mysql://shop:hunter2secret@127.0.0.1:1/bookstore' });
    assert.equal(result.status, 1);
    assert.match(result.output, /^db:migrate failed: cannot reach MySQL at 127\.0\.0\.1:1\/bookstore as shop: .*ECONNREFUSED/m);
    assert.doesNotMatch(result.output, /hunter2secret/);
  });
});

describe('server.ts on MySQL', { skip: testDialect !== 'mysql' && 'MySQL-only' }, () => {
  test('wrong credentials stop the start with the host and the cause, never the password', async () => {
    const url = new URL(mysqlServer().urlFor('epicbook_test'));
    url.password = 'not-the-password-xyz';
    const server = startServer({ DATABASE_URL: url.toString(), PORT: '0' });
    assert.equal(await server.exited, 1);
    assert.match(server.output(), new RegExp(`Cannot start: database MySQL at 127\\.0\\.0\\.1:${url.port}/epicbook_test as epicbook_test is not usable \\(.*Access denied`));
    assert.doesNotMatch(server.output(), /not-the-password-xyz/);
  });
});
