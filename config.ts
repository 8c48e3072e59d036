import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';

/** The project root, whether we run from source (tsx) or from the compiled `dist/`. */
export const projectRoot = path.basename(__dirname) === 'dist' ? path.resolve(__dirname, '..') : __dirname;

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const PRODUCTION_SECRET_MESSAGE = 'is required when NODE_ENV=production (generate one with: openssl rand -hex 32)';

const port = z.string().regex(/^\d{1,5}$/, 'must be a port number').transform(Number).pipe(z.number().max(65535));

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: port.default(8080),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^(mysql|mariadb|sqlite):/, 'must start with mysql://, mariadb:// or sqlite:')
      .optional(),
    SQLITE_FILE: z.string().min(1).default('data/epicbook.sqlite'),
    DB_HOST: z.string().min(1).optional(),
    DB_PORT: port.default(3306),
    DB_USER: z.string().min(1).optional(),
    DB_PASSWORD: z.string().optional(),
    DB_NAME: z.string().regex(/^[A-Za-z0-9_$]{1,64}$/, 'must be a plain database name').optional(),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    DB_POOL_MIN: z.coerce.number().int().min(0).max(200).default(0),
    DB_POOL_ACQUIRE_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    DB_POOL_IDLE_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    LOG_SQL: booleanFlag.default(false),
    SEED_CATALOG: booleanFlag.default(true),
    AUTH_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(5),
    AUTH_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(20),
    AUTH_MAX_SIGNUPS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(10),
    ADMIN_EMAIL: z.email('must be an email address').optional(),
    ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').max(200).optional(),
    ADMIN_NAME: z.string().max(100).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: PRODUCTION_SECRET_MESSAGE,
      });
    }
  });

export interface MysqlConfig {
  dialect: 'mysql';
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  pool: { max: number; min: number; acquireMs: number; idleMs: number };
  connectTimeoutMs: number;
}

export type DatabaseConfig = { dialect: 'sqlite'; storage: string } | MysqlConfig;

export interface Config {
  env: 'development' | 'test' | 'production';
  isProduction: boolean;
  port: number;
  host: string;
  database: DatabaseConfig;
  sessionSecret: string;
  sessionMaxAgeMs: number;
  logLevel: string;
  logSql: boolean;
  seedCatalog: boolean;
  /** scrypt's cost for new password hashes: OWASP's in every environment but tests, which trade it for speed. */
  passwordHashCost: { N: number; r: number; p: number };
  /** Failed sign-ins allowed per account and per client address in 15 minutes; sign-ups per address per hour. */
  authLimits: { failuresPerAccount: number; failuresPerAddress: number; signUpsPerAddress: number };
  /** The first admin, created (or promoted) at start when ADMIN_EMAIL is set. */
  bootstrapAdmin: { email: string; password?: string; name?: string } | null;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

// Only for development and tests: a fixed secret keeps sessions valid across restarts on a laptop.
// Production refuses to start without a real one (see the schema above).
const DEVELOPMENT_SECRET = 'development-only-secret-do-not-use-in-production';

type Env = z.infer<typeof schema>;

function mysqlFrom(env: Env): MysqlConfig {
  let parts: Pick<MysqlConfig, 'host' | 'port' | 'user' | 'password' | 'database'>;
  if (env.DATABASE_URL) {
    let url: URL;
    try {
      url = new URL(env.DATABASE_URL);
    } catch {
      throw new ConfigError('Invalid configuration:\n  DATABASE_URL: is not a valid URL (mysql://user:password@host:3306/bookstore)');
    }
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!url.hostname || !database || !url.username) {
      throw new ConfigError('Invalid configuration:\n  DATABASE_URL: needs a user, a host and a database name (mysql://user:password@host:3306/bookstore)');
    }
    parts = {
      host: url.hostname,
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database,
    };
  } else {
    const missing = (['DB_HOST', 'DB_USER', 'DB_NAME'] as const).filter((k) => !env[k]);
    if (missing.length) {
      throw new ConfigError(`Invalid configuration:\n${missing.map((k) => `  ${k}: is required when DB_HOST, DB_USER or DB_NAME is set`).join('\n')}`);
    }
    parts = { host: env.DB_HOST!, port: env.DB_PORT, user: env.DB_USER!, password: env.DB_PASSWORD ?? '', database: env.DB_NAME! };
  }
  return {
    dialect: 'mysql',
    ...parts,
    pool: { max: env.DB_POOL_MAX, min: Math.min(env.DB_POOL_MIN, env.DB_POOL_MAX), acquireMs: env.DB_POOL_ACQUIRE_MS, idleMs: env.DB_POOL_IDLE_MS },
    connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
  };
}

function databaseFrom(env: Env): DatabaseConfig {
  const url = env.DATABASE_URL;
  if ((url && !url.startsWith('sqlite:')) || (!url && (env.DB_HOST || env.DB_USER || env.DB_NAME))) {
    return mysqlFrom(env);
  }
  const file = url ? url.replace(/^sqlite:(\/\/)?/, '') : env.SQLITE_FILE;
  if (!file) throw new ConfigError('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:data/epicbook.sqlite');
  return { dialect: 'sqlite', storage: file === ':memory:' ? file : path.resolve(projectRoot, file) };
}

/**
 * Reads the environment once and returns a frozen, typed config, or throws a ConfigError that names
 * every bad variable. `overrides` lets tests build a config without touching process.env.
 */
export function loadConfig(
  source: NodeJS.ProcessEnv = process.env,
  overrides: Record<string, string | undefined> = {},
): Readonly<Config> {
  // A variable set to nothing (PORT= in .env) means "not set", not zero or an empty secret.
  const merged = Object.fromEntries(
    Object.entries({ ...source, ...overrides }).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(env)', message: i.message }));
    // superRefine only runs on an otherwise valid object, so check the production secret here too.
    if (merged.NODE_ENV === 'production' && !merged.SESSION_SECRET && !issues.some((i) => i.path === 'SESSION_SECRET')) {
      issues.push({ path: 'SESSION_SECRET', message: PRODUCTION_SECRET_MESSAGE });
    }
    throw new ConfigError(`Invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
  const env = parsed.data;
  const config: Config = {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    database: databaseFrom(env),
    sessionSecret: env.SESSION_SECRET ?? DEVELOPMENT_SECRET,
    sessionMaxAgeMs: env.SESSION_MAX_AGE_DAYS * 24 * 60 * 60 * 1000,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    logSql: env.LOG_SQL,
    seedCatalog: env.SEED_CATALOG,
    passwordHashCost: env.NODE_ENV === 'test' ? { N: 2 ** 12, r: 8, p: 1 } : { N: 2 ** 15, r: 8, p: 3 },
    authLimits: {
      failuresPerAccount: env.AUTH_MAX_FAILURES_PER_ACCOUNT,
      failuresPerAddress: env.AUTH_MAX_FAILURES_PER_ADDRESS,
      signUpsPerAddress: env.AUTH_MAX_SIGNUPS_PER_ADDRESS,
    },
    bootstrapAdmin: env.ADMIN_EMAIL ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, name: env.ADMIN_NAME } : null,
  };
  const database = config.database.dialect === 'mysql'
    ? Object.freeze({ ...config.database, pool: Object.freeze(config.database.pool) })
    : Object.freeze(config.database);
  return Object.freeze({ ...config, database });
}

/** Loads `.env` (if present) into process.env without overriding what is already set. */
export function loadDotenv(): void {
  dotenv.config({ path: path.join(projectRoot, '.env'), quiet: true });
}
