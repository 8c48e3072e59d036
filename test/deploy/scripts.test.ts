/**
 * deploy/ec2/*.sh: shellcheck, --help and argument checks for all four; provision.sh's dry run (it
 * needs Ubuntu with systemd to run for real); backup.sh and restore.sh for real against the private
 * MariaDB; deploy.sh on a local git repository and release layout in a temp dir, with npm and PM2
 * stubbed and a small HTTP server standing in for the app's /readyz.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import dotenv from 'dotenv';
import mysql from 'mysql2/promise';
import { mysqlServer } from '../helpers';
import { freePort, projectRoot, startChild, toolOrSkip } from './support';

const EC2 = path.join(projectRoot, 'deploy/ec2');
const SCRIPTS = ['provision.sh', 'deploy.sh', 'backup.sh', 'restore.sh'];
const ME = userInfo().username;

const shellcheckMissing = toolOrSkip('shellcheck', 'shellcheck');
const gitMissing = toolOrSkip('git', 'git') || toolOrSkip('curl', 'curl');
// Locally, no TEST_MYSQL_URL skips the database tests with one line; in CI it is a failure.
const mysqlMissing = process.env.TEST_MYSQL_URL || process.env.CI === 'true'
  ? toolOrSkip('mysqldump', 'mariadb-client')
  : 'TEST_MYSQL_URL is not set: run `source /tmp/mdb-env.sh` or `eval "$(scripts/mariadb-test-server.sh start)"` for the backup/restore tests';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch((e) => console.error('cleanup:', e));
});

function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `epicbook-${label}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeExecutable(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

interface Run {
  code: number | null;
  output: string;
}

/** Runs a script to the end with only the environment given (plus PATH and HOME). */
async function run(script: string, args: string[], env: Record<string, string> = {}, cwd = projectRoot): Promise<Run> {
  const child = startChild(script, args, env, cwd);
  const code = await child.exited;
  return { code, output: child.output() };
}

function assertExit(result: Run, code: number, what: string) {
  assert.equal(result.code, code, `${what}: expected exit ${code}, got ${result.code}\n${result.output}`);
}

describe('deploy/ec2 scripts: lint, --help, arguments', () => {
  test('every script passes shellcheck (following lib.sh)', { skip: shellcheckMissing }, () => {
    const files = [...SCRIPTS, 'lib.sh'].map((f) => path.join(EC2, f));
    // From the project root and without -x, as CI or an editor would run it: deploy/ec2/.shellcheckrc
    // makes shellcheck follow lib.sh.
    const result = spawnSync('shellcheck', files, { cwd: projectRoot, encoding: 'utf8' });
    assert.equal(result.status, 0, `shellcheck found problems:\n${result.stdout}${result.stderr}`);
  });

  test('every script stops at the first error: set -euo pipefail and the error trap', () => {
    for (const script of SCRIPTS) {
      const text = readFileSync(path.join(EC2, script), 'utf8');
      assert.match(text, /^#!\/usr\/bin\/env bash\n/, `${script}: bash shebang`);
      assert.match(text, /^set -euo pipefail$/m, `${script}: set -euo pipefail`);
      assert.match(text, /^enable_error_trap$/m, `${script}: installs the ERR trap`);
      assert.ok(statSync(path.join(EC2, script)).mode & 0o100, `${script} is executable`);
    }
  });

  for (const script of SCRIPTS) {
    test(`${script} --help prints its usage; an unknown argument exits 2`, async () => {
      const help = await run(path.join(EC2, script), ['--help']);
      assertExit(help, 0, `${script} --help`);
      assert.match(help.output, /^Usage: /m);
      assert.doesNotMatch(help.output, /==>/, '--help does nothing else');
      const bad = await run(path.join(EC2, script), ['--no-such-option']);
      assertExit(bad, 2, `${script} --no-such-option`);
      assert.match(bad.output, /--no-such-option.*see --help/);
    });
  }

  test('a failing command is reported with the step it belongs to', async () => {
    // The lib's ERR trap, exercised by a tiny script of the same shape as the real ones.
    const dir = tempDir('trap');
    const script = writeExecutable(path.join(dir, 'demo.sh'), [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      `. ${JSON.stringify(path.join(EC2, 'lib.sh'))}`,
      'enable_error_trap',
      'step "First"',
      'true',
      'step "Copy the widgets"',
      'false',
      'step "Never reached"',
    ].join('\n'));
    const result = await run(script, []);
    assertExit(result, 1, 'demo.sh');
    assert.match(result.output, /FAILED during step "Copy the widgets" \(exit status 1 at line 8: false\)/);
    assert.doesNotMatch(result.output, /Never reached/);
  });
});

describe('provision.sh (dry run: it needs Ubuntu with systemd to run for real)', () => {
  const env = () => {
    const root = tempDir('provision');
    // A user that does not exist here, so the plan is the same on every machine.
    return { root, env: { EPICBOOK_ROOT: path.join(root, 'srv'), EPICBOOK_USER: 'epicbook-dry-run' } };
  };

  test('a local database: MySQL server, an account with only the privileges the app needs, PM2 as the app user at boot', async () => {
    const { root, env: e } = env();
    const result = await run(path.join(EC2, 'provision.sh'), ['--dry-run', '--repo', 'https://example.com/epicbook.git', '--domain', 'shop.example.com', '--email', 'ops@example.com'], e);
    assertExit(result, 0, 'provision.sh --dry-run');
    const out = result.output;
    const grants = out.match(/GRANT (.*) ON `bookstore`\.\* TO 'epicbook'@'(localhost|127\.0\.0\.1)';/g) ?? [];
    assert.equal(grants.length, 2, `one GRANT per account host:\n${out}`);
    for (const grant of grants) {
      assert.match(grant, /^GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, REFERENCES ON/);
    }
    assert.doesNotMatch(out, /\bDROP\b|ALL PRIVILEGES|GRANT OPTION/, 'no more than the app needs');
    assert.match(out, /IDENTIFIED BY '\*{8}'/, 'the generated password is never shown');
    assert.match(out, /\[dry-run\] systemctl enable --now mysql/);
    assert.match(out, /write .*\/srv\/shared\/\.env \(mode 600, owner epicbook-dry-run:epicbook-dry-run\)/);
    // npm runs as the app user only: never as root.
    const npmLines = out.split('\n').filter((l) => /\bnpm (install|ci)\b/.test(l));
    assert.ok(npmLines.length > 0);
    for (const line of npmLines) assert.match(line, /\[dry-run\] as epicbook-dry-run: /, `npm as root: ${line}`);
    assert.match(out, /deploy\.sh --repo https:\/\/example\.com\/epicbook\.git/);
    assert.match(out, /pm2 startup systemd -u epicbook-dry-run --hp \/home\/epicbook-dry-run/);
    assert.match(out, /as epicbook-dry-run: \S*pm2 save/);
    assert.match(out, /certbot certonly --webroot -w \/var\/www\/letsencrypt -d shop\.example\.com --email ops@example\.com/);
    assert.match(out, /write \/etc\/nginx\/sites-available\/epicbook-tls/);
    assert.deepEqual(readdirSync(root), [], 'a dry run changes nothing');
  });

  test('DATABASE_URL on another host (RDS): no MySQL server, nothing created there without DB_ADMIN_CNF, no password shown', async () => {
    const { env: e } = env();
    const password = 'rds-Secret-9d1f';
    const result = await run(path.join(EC2, 'provision.sh'), ['--dry-run', '--repo', 'https://example.com/epicbook.git'], {
      ...e,
      DATABASE_URL: `mysql://shop:${password}@shop.abc123.eu-west-1.rds.amazonaws.com:3306/store`,
    });
    assertExit(result, 0, 'provision.sh --dry-run');
    assert.match(result.output, /database store on shop\.abc123\.eu-west-1\.rds\.amazonaws\.com:3306 as shop: another host/);
    assert.doesNotMatch(result.output, /mysql-server|systemctl enable --now mysql|GRANT/);
    assert.match(result.output, /must exist already/);
    assert.doesNotMatch(result.output, /certbot/, 'no HTTPS without --domain');
    assert.ok(!result.output.includes(password));
  });

  test('re-run: an existing .env is kept; a missing SESSION_SECRET would be added, nothing else', async () => {
    const { root, env: e } = env();
    const shared = path.join(root, 'srv/shared');
    mkdirSync(shared, { recursive: true });
    const envFile = path.join(shared, '.env');
    const withSecret = 'DATABASE_URL=mysql://epicbook:x@127.0.0.1:3306/bookstore\nSESSION_SECRET=' + 'a'.repeat(64) + '\n';
    writeFileSync(envFile, withSecret);
    let result = await run(path.join(EC2, 'provision.sh'), ['--dry-run', '--repo', 'https://example.com/e.git'], e);
    assertExit(result, 0, 'provision.sh --dry-run');
    assert.match(result.output, /exists, with a SESSION_SECRET: left as it is/);
    assert.doesNotMatch(result.output, /write .*\.env/);

    writeFileSync(envFile, 'DATABASE_URL=mysql://epicbook:x@127.0.0.1:3306/bookstore\n');
    result = await run(path.join(EC2, 'provision.sh'), ['--dry-run', '--repo', 'https://example.com/e.git'], e);
    assertExit(result, 0, 'provision.sh --dry-run');
    assert.match(result.output, /exists without a SESSION_SECRET: adding one/);
    assert.equal(readFileSync(envFile, 'utf8'), 'DATABASE_URL=mysql://epicbook:x@127.0.0.1:3306/bookstore\n', 'a dry run writes nothing');
  });

  test('argument checks: --domain needs --email, a real DNS name and a supported Node.js major', async () => {
    const p = path.join(EC2, 'provision.sh');
    let result = await run(p, ['--dry-run', '--domain', 'shop.example.com']);
    assertExit(result, 2, '--domain without --email');
    assert.match(result.output, /--domain needs --email/);
    result = await run(p, ['--dry-run', '--domain', 'not a name', '--email', 'a@b.c']);
    assertExit(result, 2, 'a bad --domain');
    result = await run(p, ['--dry-run'], { NODE_MAJOR: '18' });
    assertExit(result, 2, 'NODE_MAJOR=18');
    assert.match(result.output, /NODE_MAJOR must be 20 or later/);
  });
});

describe('lib.sh: the app settings and the option file', () => {
  /** What the mysql client would be started with, given the settings lib.sh read. */
  async function clientArguments(envText: string, env: Record<string, string> = {}): Promise<Run> {
    const dir = tempDir('lib');
    writeFileSync(path.join(dir, '.env'), envText);
    const script = writeExecutable(path.join(dir, 'show.sh'), [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      `. ${JSON.stringify(path.join(EC2, 'lib.sh'))}`,
      'enable_error_trap',
      'load_db_settings',
      'write_client_cnf',
      'cnf=$DB_CNF',
      'printf "mode=%s\\n" "$(stat -c %a "$cnf")"',
      'mysql --defaults-file="$cnf" --print-defaults',
    ].join('\n'));
    return run(script, [], { ENV_FILE: path.join(dir, '.env'), ...env });
  }

  test('DATABASE_URL is percent-decoded and survives the option file: #, quotes, backslash, space, @', { skip: toolOrSkip('mysql', 'mariadb-client') }, async () => {
    const result = await clientArguments(
      '# the app reads this file with dotenv\nexport DATABASE_URL="mysql://shop%40eu:p%40ss%23w%22o%5Crd%20x@db.internal:3307/store_1" # inline comment\n',
    );
    assertExit(result, 0, 'lib.sh');
    assert.match(result.output, /^mode=600$/m);
    assert.ok(result.output.includes('--host=db.internal --port=3307 --user=shop@eu --password=p@ss#w"o\\rd x '), result.output);
    assert.match(result.output, /--protocol=tcp/);
  });

  test('DB_* parts with dotenv quoting; the environment wins over .env, like in the app', { skip: toolOrSkip('mysql', 'mariadb-client') }, async () => {
    const text = "DB_HOST=10.0.0.5\nDB_USER='shop'\nDB_PASSWORD='p#ss word'\nDB_NAME=bookstore # the store\nDB_PORT = 3310#x\n";
    let result = await clientArguments(text);
    assertExit(result, 0, 'lib.sh');
    assert.ok(result.output.includes('--host=10.0.0.5 --port=3310 --user=shop --password=p#ss word '), result.output);
    // dotenv, which the app uses, reads the same file the same way.
    assert.deepEqual(
      Object.entries(dotenv.parse(text)).filter(([k]) => k !== 'DB_NAME'),
      [['DB_HOST', '10.0.0.5'], ['DB_USER', 'shop'], ['DB_PASSWORD', 'p#ss word'], ['DB_PORT', '3310']],
    );
    result = await clientArguments(text, { DATABASE_URL: 'mysql://other:pw@127.0.0.1:3306/elsewhere' });
    assert.ok(result.output.includes('--host=127.0.0.1 --port=3306 --user=other --password=pw '), result.output);
  });

  test('a SQLite or missing database is refused with a clear line', async () => {
    let result = await clientArguments('DATABASE_URL=sqlite:data/epicbook.sqlite\n');
    assertExit(result, 1, 'sqlite');
    assert.match(result.output, /DATABASE_URL is a SQLite file: copy the file/);
    result = await clientArguments('PORT=8080\n');
    assertExit(result, 1, 'nothing');
    assert.match(result.output, /no MySQL database configured: set DATABASE_URL/);
  });
});

describe('backup.sh and restore.sh on the private MariaDB', { skip: mysqlMissing }, () => {
  let dir: string;
  let backups: string;
  let envFile: string;
  let argsLog: string;
  let database: string;
  let server: ReturnType<typeof mysqlServer>;
  let env: Record<string, string>;
  const query = async (sql: string) => {
    const conn = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, database });
    try {
      const [rows] = await conn.query(sql);
      return rows as Array<Record<string, unknown>>;
    } finally {
      await conn.end();
    }
  };

  before(async () => {
    server = mysqlServer();
    dir = tempDir('backup');
    backups = path.join(dir, 'backups');
    database = `epicbook_test_scripts_${process.pid}`;
    const admin = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, multipleStatements: true });
    cleanups.push(async () => {
      const conn = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });
      await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await conn.end();
    });
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\`; CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; USE \`${database}\``);
    // The real schema and catalog, as provision.sh loads them: foreign keys, BLOBs, utf8mb4.
    for (const file of ['schema.sql', 'author_seed.sql', 'books_seed.sql']) {
      await admin.query(readFileSync(path.join(projectRoot, 'db', file), 'utf8'));
    }
    await admin.query(`INSERT INTO BookCovers (BookId, mimeType, data, createdAt, updatedAt) VALUES (1, 'image/png', X'89504E470D0A1A0A00FF', NOW(), NOW())`);
    await admin.query(`UPDATE Books SET title = 'Ünïcödé — “quoted” 📚' WHERE id = 2`);
    await admin.end();

    envFile = path.join(dir, '.env');
    writeFileSync(envFile, `NODE_ENV=production\nDATABASE_URL=${server.urlFor(database)}\n`, { mode: 0o600 });
    // Stand-ins for mysql and mysqldump that note how they were called, then run the real ones.
    argsLog = path.join(dir, 'args.log');
    const wrap = (name: string) => {
      const real = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
      return writeExecutable(path.join(dir, 'bin', name), [
        '#!/bin/sh',
        'mode=-',
        'case "$1" in --defaults-file=*) mode=$(stat -c %a "${1#--defaults-file=}") ;; esac',
        `printf '%s\\t%s\\t%s\\n' ${name} "$mode" "$*" >> ${JSON.stringify(argsLog)}`,
        `exec ${JSON.stringify(real)} "$@"`,
      ].join('\n'));
    };
    env = { ENV_FILE: envFile, BACKUP_DIR: backups, MYSQL: wrap('mysql'), MYSQLDUMP: wrap('mysqldump') };
  });

  const dumps = () => (existsSync(backups) ? readdirSync(backups).sort() : []);

  test('backup, change the data, restore: the data is back', async () => {
    const backup = await run(path.join(EC2, 'backup.sh'), ['--keep', '5'], env);
    assertExit(backup, 0, 'backup.sh');
    const files = dumps();
    assert.equal(files.length, 1);
    assert.match(files[0], new RegExp(`^epicbook-${database}-\\d{8}T\\d{6}Z\\.sql\\.gz$`));
    const dump = path.join(backups, files[0]);
    assert.equal(statSync(dump).mode & 0o777, 0o600, 'a dump is readable by its owner only');
    assert.equal(statSync(backups).mode & 0o777, 0o700);
    const sql = gunzipSync(readFileSync(dump)).toString('utf8');
    assert.match(sql, /CREATE TABLE `Books`/);
    assert.doesNotMatch(sql, /LOCK TABLES/, '--skip-add-locks: loading needs no LOCK TABLES privilege');
    assert.match(sql, /-- Dump completed/);

    const [before] = await query('SELECT price, title FROM Books WHERE id = 2');
    await query('UPDATE Books SET price = 0.01, title = "changed" WHERE id = 2');
    await query('DELETE FROM BookCovers');
    await query(`INSERT INTO Users (name, email, passwordHash, role, cartKey, createdAt, updatedAt) VALUES ('Late', 'late@example.com', 'x', 'shopper', 'k', NOW(), NOW())`);

    // Without --yes and without a terminal it refuses, and changes nothing.
    const refused = await run(path.join(EC2, 'restore.sh'), [dump], env);
    assertExit(refused, 1, 'restore.sh without --yes');
    assert.match(refused.output, /refusing to restore without confirmation: not run from a terminal, pass --yes/);
    assert.equal((await query('SELECT price FROM Books WHERE id = 2'))[0].price, '0.01');

    const restore = await run(path.join(EC2, 'restore.sh'), ['--yes', dump], env);
    assertExit(restore, 0, 'restore.sh --yes');
    const [after] = await query('SELECT price, title FROM Books WHERE id = 2');
    assert.deepEqual(after, before);
    assert.equal(after.title, 'Ünïcödé — “quoted” 📚');
    const [cover] = await query('SELECT HEX(data) AS hex FROM BookCovers WHERE BookId = 1');
    assert.equal(cover.hex, '89504E470D0A1A0A00FF', 'binary data comes back byte for byte');
    assert.equal((await query("SELECT COUNT(*) AS n FROM Users WHERE email = 'late@example.com'"))[0].n, 0);
    assert.equal((await query('SELECT COUNT(*) AS n FROM Books'))[0].n, 54);
    // The safety dump of the state before the restore.
    assert.equal(dumps().length, 2);
    assert.match(restore.output, /Safety dump/);
  });

  test('the password never reaches a command line: every client call gets a mode-600 option file, removed afterwards', () => {
    const calls = readFileSync(argsLog, 'utf8').trim().split('\n').map((line) => line.split('\t'));
    const connecting = calls.filter(([, , args]) => !/^--help\b/.test(args));
    assert.ok(connecting.some(([name]) => name === 'mysqldump') && connecting.some(([name]) => name === 'mysql'));
    for (const [name, , args] of calls) {
      assert.ok(!args.includes(server.password), `${name} was given the password: ${args}`);
      assert.doesNotMatch(args, /(^| )(-p|--password)/, `${name}: ${args}`);
    }
    for (const [name, mode, args] of connecting) {
      assert.match(args, /^--defaults-file=\S+/, `${name} reads its connection from an option file: ${args}`);
      assert.equal(mode, '600', `${name}'s option file has mode ${mode}`);
      const file = /^--defaults-file=(\S+)/.exec(args)![1];
      assert.ok(!existsSync(file), `${file} is removed when the script ends`);
    }
  });

  test('retention: only the newest N dumps of this database stay; other files are left alone', async () => {
    const older = ['20000101T000000Z', '20000102T000000Z', '20000103T000000Z'].map((t) => `epicbook-${database}-${t}.sql.gz`);
    for (const name of older) writeFileSync(path.join(backups, name), gzipSync('-- old\n'));
    const unrelated = ['epicbook-otherstore-19990101T000000Z.sql.gz', 'notes.txt'];
    for (const name of unrelated) writeFileSync(path.join(backups, name), 'keep me');
    const ours = () => dumps().filter((f) => f.startsWith(`epicbook-${database}-`));
    const before = ours();
    assert.equal(before.length, 5);

    const result = await run(path.join(EC2, 'backup.sh'), ['--keep', '2'], env);
    assertExit(result, 0, 'backup.sh --keep 2');
    const kept = ours();
    assert.equal(kept.length, 2);
    assert.equal(kept[0], before[before.length - 1], 'the newest older dump stays');
    assert.ok(!before.includes(kept[1]), 'the new dump stays');
    for (const name of unrelated) assert.ok(existsSync(path.join(backups, name)), `${name} untouched`);
    assert.match(result.output, new RegExp(`deleted ${older[0]}`));
  });

  test('restore refuses an incomplete dump and changes nothing', async () => {
    const good = dumps().filter((f) => f.startsWith(`epicbook-${database}-2`) && !f.startsWith(`epicbook-${database}-2000`)).pop()!;
    const sql = gunzipSync(readFileSync(path.join(backups, good)));
    const truncated = path.join(dir, 'truncated.sql.gz');
    writeFileSync(truncated, gzipSync(sql.subarray(0, Math.floor(sql.length / 2))));
    await query('UPDATE Books SET inventory = 4242 WHERE id = 3');
    const result = await run(path.join(EC2, 'restore.sh'), ['--yes', truncated], env);
    assertExit(result, 1, 'restore.sh of half a dump');
    assert.match(result.output, /is incomplete \(no "Dump completed" line at the end\)/);
    assert.equal((await query('SELECT inventory FROM Books WHERE id = 3'))[0].inventory, 4242);
  });

  test('--admin-cnf: the load runs as the account in that file, not the app account', async () => {
    const dump = path.join(backups, dumps().filter((f) => f.startsWith(`epicbook-${database}-2`) && !f.startsWith(`epicbook-${database}-2000`)).pop()!);
    // An app account that cannot log in at all: only the admin file can do the restore.
    const brokenEnv = path.join(dir, 'broken.env');
    const url = new URL(server.urlFor(database));
    url.password = 'wrong-password';
    writeFileSync(brokenEnv, `DATABASE_URL=${url}\n`);
    const adminCnf = path.join(dir, 'admin.cnf');
    writeFileSync(adminCnf, `[client]\nhost=${server.host}\nport=${server.port}\nuser=${server.user}\npassword="${server.password}"\n`, { mode: 0o600 });
    await query('UPDATE Books SET inventory = 9999 WHERE id = 3');
    const result = await run(path.join(EC2, 'restore.sh'), ['--yes', '--no-safety-backup', '--admin-cnf', adminCnf, dump], { ...env, ENV_FILE: brokenEnv });
    assertExit(result, 0, 'restore.sh --admin-cnf');
    assert.match(result.output, new RegExp(`database ${database}, as the account in ${adminCnf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.notEqual((await query('SELECT inventory FROM Books WHERE id = 3'))[0].inventory, 9999);
  });
});

describe('deploy.sh on a local repository, with npm and PM2 stubbed', { skip: gitMissing }, () => {
  let dir: string;
  let src: string;
  let root: string;
  let state: string;
  let stubLog: string;
  let env: Record<string, string>;
  let commit = 0;

  const git = (...args: string[]) => {
    const result = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: src, encoding: 'utf8' });
    assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  /** A new commit of the "app": VERSION says which; flags make it unhealthy or its migration fail. */
  const commitVersion = (flags: { broken?: boolean; migrationFails?: boolean } = {}) => {
    commit += 1;
    writeFileSync(path.join(src, 'VERSION'), `${commit}\n`);
    for (const [flag, file] of [[flags.broken, 'BROKEN'], [flags.migrationFails, 'MIGRATION_FAILS']] as const) {
      if (flag) writeFileSync(path.join(src, file), 'yes\n');
      else rmSync(path.join(src, file), { force: true });
    }
    git('add', '-A');
    git('commit', '-q', '-m', `version ${commit}`);
    return commit;
  };
  const releases = () => readdirSync(path.join(root, 'releases')).sort();
  const currentVersion = () => readFileSync(path.join(root, 'current', 'VERSION'), 'utf8').trim();
  const deploy = (...args: string[]) => run(path.join(EC2, 'deploy.sh'), args, env);
  const stubCalls = () => (existsSync(stubLog) ? readFileSync(stubLog, 'utf8').trim().split('\n') : []);

  before(async () => {
    dir = tempDir('deploy');
    src = path.join(dir, 'src');
    root = path.join(dir, 'srv');
    state = path.join(dir, 'running');
    stubLog = path.join(dir, 'stubs.log');
    mkdirSync(path.join(src, 'deploy/pm2'), { recursive: true });
    mkdirSync(path.join(root, 'releases'), { recursive: true });
    mkdirSync(path.join(root, 'shared'), { recursive: true });
    writeFileSync(path.join(root, 'shared/.env'), 'NODE_ENV=production\nPORT=8080\n', { mode: 0o600 });
    git('init', '-q', '-b', 'main');
    writeFileSync(path.join(src, 'package.json'), '{"name":"stub-app","private":true}\n');
    writeFileSync(path.join(src, 'deploy/pm2/ecosystem.config.cjs'), 'module.exports = { apps: [] };\n');
    // A data/ in the repository must not shadow the shared one.
    mkdirSync(path.join(src, 'data'));
    writeFileSync(path.join(src, 'data/.gitkeep'), '');
    commitVersion();

    // npm: ci, build and db:migrate leave traces in the release; db:migrate fails on request.
    const npm = writeExecutable(path.join(dir, 'bin/npm'), [
      '#!/bin/sh',
      `echo "npm $* in $(pwd -P)" >> ${JSON.stringify(stubLog)}`,
      'case "$*" in',
      '  ci*) mkdir -p node_modules ;;',
      '  "run build") mkdir -p dist ;;',
      '  "run db:migrate") if [ -e MIGRATION_FAILS ]; then echo "ERROR: migration 0003 failed" >&2; exit 1; fi ;;',
      'esac',
    ].join('\n'));
    // pm2: "runs" whatever release it was (re)loaded from, which the health server then judges.
    const pm2 = writeExecutable(path.join(dir, 'bin/pm2'), [
      '#!/bin/sh',
      `echo "pm2 $* in $(pwd -P)" >> ${JSON.stringify(stubLog)}`,
      `case "$1" in startOrReload|reload) pwd -P > ${JSON.stringify(state)} ;; esac`,
    ].join('\n'));

    // The app's /readyz: 503 while the running release is a broken one.
    const health = http.createServer((req, res) => {
      const running = existsSync(state) ? readFileSync(state, 'utf8').trim() : '';
      const ok = running !== '' && !existsSync(path.join(running, 'BROKEN')) && req.url === '/readyz';
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready' : 'not ready');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => health.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => health.close(resolve)));

    env = {
      EPICBOOK_ROOT: root,
      // The tests run as whoever runs them; deploy.sh then runs npm, git and PM2 directly.
      EPICBOOK_USER: ME,
      NPM: npm,
      PM2: pm2,
      HEALTH_URL: `http://127.0.0.1:${port}/readyz`,
      HEALTH_ATTEMPTS: '3',
      HEALTH_INTERVAL: '0.1',
    };
  });

  test('happy path: each deploy becomes current; the newest N releases are kept', async () => {
    const first = await deploy('--repo', src, '--keep', '2');
    assertExit(first, 0, 'first deploy');
    assert.equal(currentVersion(), '1');
    const release = realpathSync(path.join(root, 'current'));
    assert.equal(readlinkSync(path.join(root, 'current')), `releases/${path.basename(release)}`, 'a relative link, switched in place');
    assert.equal(readlinkSync(path.join(release, '.env')), path.join(root, 'shared/.env'));
    assert.equal(readlinkSync(path.join(release, 'data')), path.join(root, 'shared/data'));
    assert.ok(existsSync(path.join(release, 'node_modules')) && existsSync(path.join(release, 'dist')));
    assert.match(readFileSync(path.join(release, 'REVISION'), 'utf8'), /^[0-9a-f]{40} HEAD\n$/);
    // In order, in the new release: install, build, migrate, then PM2 from the `current` link.
    assert.deepEqual(stubCalls().map((c) => c.replace(` in ${release}`, '')), [
      'npm ci --include=dev --no-audit --no-fund',
      'npm run build',
      'npm run db:migrate',
      'pm2 startOrReload deploy/pm2/ecosystem.config.cjs --update-env',
      'pm2 save',
    ]);

    commitVersion();
    assertExit(await deploy('--keep', '2'), 0, 'second deploy');
    assert.equal(currentVersion(), '2');
    commitVersion();
    const third = await deploy('--keep', '2');
    assertExit(third, 0, 'third deploy');
    assert.equal(currentVersion(), '3');
    assert.equal(releases().length, 2, `kept: ${releases().join(', ')}`);
    assert.ok(!releases().includes(path.basename(release)), 'the oldest release was deleted');
    assert.match(third.output, /==> Done: \S+ is live/);
  });

  test('a release that fails its health check is rolled back: exit 1, current is the previous release again', async () => {
    const previous = realpathSync(path.join(root, 'current'));
    const callsBefore = stubCalls().length;
    commitVersion({ broken: true });
    const result = await deploy('--keep', '2');
    assertExit(result, 1, 'deploy of a broken release');
    assert.match(result.output, /did not answer 200 after 3 attempt\(s\) \(last status: 503\)/);
    assert.match(result.output, new RegExp(`deploy of HEAD \\([0-9a-f]{40}\\) FAILED the health check; rolled back to ${path.basename(previous)}, which is healthy`));
    assert.equal(realpathSync(path.join(root, 'current')), previous);
    assert.equal(currentVersion(), '3');
    const broken = releases().find((r) => existsSync(path.join(root, 'releases', r, 'BROKEN')))!;
    assert.ok(existsSync(path.join(root, 'releases', broken, '.deploy-failed')), 'the failed release is marked');
    // PM2 was reloaded onto the broken release, then back onto the previous one.
    const reloads = stubCalls().slice(callsBefore).filter((c) => c.startsWith('pm2 startOrReload'));
    assert.deepEqual(reloads.map((c) => path.basename(c.split(' in ')[1])), [broken, path.basename(previous)]);
    assert.equal(readFileSync(state, 'utf8').trim(), previous);
  });

  test('a failed migration stops the deploy before the switch: the running release is not touched', async () => {
    const running = realpathSync(path.join(root, 'current'));
    const callsBefore = stubCalls().length;
    commitVersion({ migrationFails: true });
    const result = await deploy('--keep', '2');
    assertExit(result, 1, 'deploy with a failing migration');
    assert.match(result.output, /FAILED during step "Migrate the database"/);
    assert.match(result.output, new RegExp(`the running release \\(${path.basename(running)}\\) was not touched`));
    assert.equal(realpathSync(path.join(root, 'current')), running);
    assert.ok(!stubCalls().slice(callsBefore).some((c) => c.startsWith('pm2')), 'PM2 was not touched either');
  });

  test('--list, and --rollback to the newest good release before the current one', async () => {
    const list = await deploy('--list');
    assertExit(list, 0, '--list');
    assert.match(list.output, /^\* \S+$/m);
    assert.match(list.output, /\(failed\)/);

    commitVersion();
    assertExit(await deploy('--keep', '2'), 0, 'a good deploy');
    assert.equal(currentVersion(), String(commit));
    const failed = releases().filter((r) => existsSync(path.join(root, 'releases', r, '.deploy-failed')));
    assert.deepEqual(failed, [], 'failed releases go at the next good deploy');

    const rollback = await deploy('--rollback');
    assertExit(rollback, 0, '--rollback');
    assert.equal(currentVersion(), '3', 'the good release before, skipping the failed ones');
    assert.match(rollback.output, /is live again/);
    const again = await deploy('--rollback');
    assertExit(again, 1, 'nothing older left');
    assert.match(again.output, /there is no good release older than/);
  });
});
