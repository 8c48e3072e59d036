import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig, ConfigError, projectRoot } from '../../config';

const SECRET = 'x'.repeat(32);

/** Asserts that loading fails with a ConfigError whose message matches. */
function refuses(overrides: Record<string, string | undefined>, message: RegExp) {
  assert.throws(() => loadConfig({}, overrides), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.name, 'ConfigError');
    assert.match(error.message, message);
    return true;
  });
}

describe('loadConfig defaults', () => {
  const config = loadConfig({}, {});

  test('the project root is the repository root', () => {
    assert.equal(projectRoot, path.resolve(__dirname, '..', '..'));
  });

  test('runs a development server on 127.0.0.1:8080', () => {
    assert.equal(config.env, 'development');
    assert.equal(config.isProduction, false);
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
  });

  test('uses SQLite under the project data/ folder', () => {
    assert.deepEqual(config.database, { dialect: 'sqlite', storage: path.join(projectRoot, 'data', 'epicbook.sqlite') });
  });

  test('has a development session secret, 30-day sessions and info logging', () => {
    assert.ok(config.sessionSecret.length >= 32);
    assert.equal(config.sessionMaxAgeMs, 30 * 24 * 60 * 60 * 1000);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.logSql, false);
    assert.equal(config.seedCatalog, true);
  });

  test('does not read process.env when given an explicit source', () => {
    const saved = process.env.PORT;
    process.env.PORT = '1234';
    try {
      assert.equal(loadConfig({}, {}).port, 8080);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  test('an undefined override falls back to the default rather than the source', () => {
    assert.equal(loadConfig({ PORT: '3000' }, { PORT: undefined }).port, 8080);
    assert.equal(loadConfig({ PORT: '3000' }, {}).port, 3000);
  });
});

describe('loadConfig environments', () => {
  test('test mode logs nothing by default', () => {
    const config = loadConfig({}, { NODE_ENV: 'test' });
    assert.equal(config.env, 'test');
    assert.equal(config.logLevel, 'silent');
  });

  test('an explicit LOG_LEVEL wins', () => {
    assert.equal(loadConfig({}, { NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel, 'debug');
  });

  test('production with a real secret', () => {
    const config = loadConfig({}, { NODE_ENV: 'production', SESSION_SECRET: SECRET });
    assert.equal(config.isProduction, true);
    assert.equal(config.sessionSecret, SECRET);
    assert.equal(config.logLevel, 'info');
  });

  test('production without SESSION_SECRET is refused, naming the variable', () => {
    refuses({ NODE_ENV: 'production' }, /SESSION_SECRET/);
    refuses({ NODE_ENV: 'production', SESSION_SECRET: undefined }, /SESSION_SECRET: is required when NODE_ENV=production/);
  });

  test('a short SESSION_SECRET is refused in any environment', () => {
    refuses({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(31) }, /SESSION_SECRET: must be at least 32 characters/);
    refuses({ SESSION_SECRET: 'short' }, /SESSION_SECRET/);
  });

  test('an unknown NODE_ENV is refused', () => {
    refuses({ NODE_ENV: 'staging' }, /NODE_ENV/);
  });
});

describe('loadConfig values', () => {
  test('reads PORT and HOST', () => {
    const config = loadConfig({}, { PORT: '3000', HOST: '0.0.0.0' });
    assert.equal(config.port, 3000);
    assert.equal(config.host, '0.0.0.0');
  });

  for (const port of ['abc', '-1', '65536', '80.5']) {
    test(`PORT=${port} is refused`, () => {
      refuses({ PORT: port }, /PORT/);
    });
  }

  test('PORT accepts the whole range 0..65535', () => {
    assert.equal(loadConfig({}, { PORT: '0' }).port, 0);
    assert.equal(loadConfig({}, { PORT: '65535' }).port, 65535);
  });

  test('SESSION_MAX_AGE_DAYS sets the cookie lifetime within 1..365 days', () => {
    assert.equal(loadConfig({}, { SESSION_MAX_AGE_DAYS: '7' }).sessionMaxAgeMs, 7 * 86_400_000);
    refuses({ SESSION_MAX_AGE_DAYS: '0' }, /SESSION_MAX_AGE_DAYS/);
    refuses({ SESSION_MAX_AGE_DAYS: '366' }, /SESSION_MAX_AGE_DAYS/);
  });

  for (const [value, expected] of [['true', true], ['1', true], ['yes', true], ['false', false], ['0', false], ['no', false]] as const) {
    test(`boolean flags read ${JSON.stringify(value)} as ${expected}`, () => {
      const config = loadConfig({}, { LOG_SQL: value, SEED_CATALOG: value });
      assert.equal(config.logSql, expected);
      assert.equal(config.seedCatalog, expected);
    });
  }

  test('a variable set to nothing counts as unset and takes its default', () => {
    const config = loadConfig({}, { PORT: '', LOG_SQL: '', SEED_CATALOG: ' ', DATABASE_URL: '' });
    assert.equal(config.port, 8080);
    assert.equal(config.logSql, false);
    assert.equal(config.seedCatalog, true);
    assert.equal(config.database.dialect, 'sqlite');
    refuses({ NODE_ENV: 'production', SESSION_SECRET: '' }, /SESSION_SECRET: is required/);
  });

  test('the production secret is reported along with other problems', () => {
    refuses({ NODE_ENV: 'production', PORT: 'abc' }, /PORT: [\s\S]*SESSION_SECRET: is required/);
  });

  test('boolean flags refuse anything else', () => {
    refuses({ LOG_SQL: 'maybe' }, /LOG_SQL/);
    refuses({ SEED_CATALOG: 'on' }, /SEED_CATALOG/);
  });

  test('an unknown LOG_LEVEL is refused', () => {
    refuses({ LOG_LEVEL: 'verbose' }, /LOG_LEVEL/);
  });

  test('every bad variable is named in one error, one per line', () => {
    const bad = { PORT: 'abc', LOG_LEVEL: 'loud', SESSION_SECRET: 'short' };
    refuses(bad, /^Invalid configuration:\n/);
    for (const name of Object.keys(bad)) refuses(bad, new RegExp(`^ {2}${name}: `, 'm'));
  });
});

describe('loadConfig database', () => {
  const mysqlDefaults = { pool: { max: 10, min: 0, acquireMs: 10_000, idleMs: 10_000 }, connectTimeoutMs: 5000 };

  test('DATABASE_URL=mysql://… selects MySQL and splits it into its parts', () => {
    const config = loadConfig({}, { DATABASE_URL: 'mysql://u:p@h:3306/db' });
    assert.deepEqual(config.database, { dialect: 'mysql', host: 'h', port: 3306, user: 'u', password: 'p', database: 'db', ...mysqlDefaults });
  });

  test('mariadb:// means the same; the port defaults to 3306 and encoded characters are decoded', () => {
    const config = loadConfig({}, { DATABASE_URL: 'mariadb://shop%40x:p%2Fss%3Aw@db.internal/bookstore' });
    assert.deepEqual(config.database, {
      dialect: 'mysql', host: 'db.internal', port: 3306, user: 'shop@x', password: 'p/ss:w', database: 'bookstore', ...mysqlDefaults,
    });
  });

  test('DB_HOST, DB_PORT, DB_USER, DB_PASSWORD and DB_NAME describe the same thing as a URL', () => {
    const config = loadConfig({}, { DB_HOST: '10.0.0.5', DB_PORT: '3307', DB_USER: 'shop', DB_PASSWORD: 's3cret', DB_NAME: 'bookstore' });
    assert.deepEqual(config.database, { dialect: 'mysql', host: '10.0.0.5', port: 3307, user: 'shop', password: 's3cret', database: 'bookstore', ...mysqlDefaults });
  });

  test('the DB_* form needs host, user and name together', () => {
    refuses({ DB_HOST: 'h' }, /DB_USER: is required[\s\S]*DB_NAME: is required/);
    refuses({ DB_HOST: 'h', DB_USER: 'u', DB_NAME: 'book store' }, /DB_NAME: must be a plain database name/);
  });

  test('a MySQL URL without a user or a database name is refused', () => {
    refuses({ DATABASE_URL: 'mysql://h:3306/db' }, /DATABASE_URL: needs a user, a host and a database name/);
    refuses({ DATABASE_URL: 'mysql://u:p@h:3306/' }, /DATABASE_URL: needs a user, a host and a database name/);
  });

  test('pool settings come from DB_POOL_* and are checked', () => {
    const config = loadConfig({}, { DATABASE_URL: 'mysql://u@h/db', DB_POOL_MAX: '25', DB_POOL_MIN: '2', DB_POOL_ACQUIRE_MS: '3000', DB_POOL_IDLE_MS: '60000' });
    assert.equal(config.database.dialect, 'mysql');
    if (config.database.dialect === 'mysql') assert.deepEqual(config.database.pool, { max: 25, min: 2, acquireMs: 3000, idleMs: 60_000 });
    refuses({ DATABASE_URL: 'mysql://u@h/db', DB_POOL_MAX: '0' }, /DB_POOL_MAX/);
  });

  for (const url of ['postgres://x', 'postgresql://u@h/db', 'http://h', 'MYSQL://u@h/db']) {
    test(`DATABASE_URL=${JSON.stringify(url)} is refused`, () => {
      refuses({ DATABASE_URL: url }, /DATABASE_URL: must start with mysql:\/\/, mariadb:\/\/ or sqlite:/);
    });
  }

  test('sqlite: URLs resolve relative paths against the project root', () => {
    assert.deepEqual(loadConfig({}, { DATABASE_URL: 'sqlite:data/other.sqlite' }).database, {
      dialect: 'sqlite',
      storage: path.join(projectRoot, 'data', 'other.sqlite'),
    });
    assert.deepEqual(loadConfig({}, { DATABASE_URL: 'sqlite://data/other.sqlite' }).database, {
      dialect: 'sqlite',
      storage: path.join(projectRoot, 'data', 'other.sqlite'),
    });
  });

  test('sqlite: URLs keep absolute paths and :memory:', () => {
    assert.deepEqual(loadConfig({}, { DATABASE_URL: 'sqlite:///tmp/store.sqlite' }).database, { dialect: 'sqlite', storage: '/tmp/store.sqlite' });
    assert.deepEqual(loadConfig({}, { DATABASE_URL: 'sqlite::memory:' }).database, { dialect: 'sqlite', storage: ':memory:' });
  });

  test('a bare sqlite: without a file is refused', () => {
    refuses({ DATABASE_URL: 'sqlite:' }, /DATABASE_URL: sqlite: needs a file path/);
    refuses({ DATABASE_URL: 'sqlite://' }, /DATABASE_URL: sqlite: needs a file path/);
  });

  test('SQLITE_FILE sets the storage when there is no DATABASE_URL', () => {
    assert.equal(loadConfig({}, { SQLITE_FILE: '/var/lib/epicbook/store.sqlite' }).database.dialect, 'sqlite');
    assert.deepEqual(loadConfig({}, { SQLITE_FILE: 'x.sqlite' }).database, { dialect: 'sqlite', storage: path.join(projectRoot, 'x.sqlite') });
  });

  test('DATABASE_URL wins over SQLITE_FILE', () => {
    assert.equal(loadConfig({}, { SQLITE_FILE: 'x.sqlite', DATABASE_URL: 'mysql://u@h/db' }).database.dialect, 'mysql');
  });
});

describe('loadConfig result', () => {
  test('is frozen, including the database section', () => {
    const config = loadConfig({}, {});
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.database));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (config.database as { dialect: string }).dialect = 'mysql';
    }, TypeError);
    assert.equal(config.port, 8080);
  });

  test('each call returns an independent object', () => {
    const a = loadConfig({}, { PORT: '1111' });
    const b = loadConfig({}, { PORT: '2222' });
    assert.notEqual(a, b);
    assert.equal(a.port, 1111);
    assert.equal(b.port, 2222);
  });
});
