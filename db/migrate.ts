import { QueryTypes, type Sequelize } from 'sequelize';
import * as initialSchema from './migrations/0001-initial-schema';
import * as accountsAdmin from './migrations/0002-accounts-admin';
import * as catalogScale from './migrations/0003-catalog-scale';
import * as bookSearch from './migrations/0004-book-search';
import * as cacheStamps from './migrations/0005-cache-stamps';
import * as stockStamp from './migrations/0006-stock-stamp';
import * as authorSearch from './migrations/0007-author-search';
import * as titlePrefix from './migrations/0008-title-prefix';

/** Every migration, in order. Listed explicitly so the same code runs from source and from dist/. */
const migrations = [
  { name: '0001-initial-schema', ...initialSchema },
  { name: '0002-accounts-admin', ...accountsAdmin },
  { name: '0003-catalog-scale', ...catalogScale },
  { name: '0004-book-search', ...bookSearch },
  { name: '0005-cache-stamps', ...cacheStamps },
  { name: '0006-stock-stamp', ...stockStamp },
  { name: '0007-author-search', ...authorSearch },
  { name: '0008-title-prefix', ...titlePrefix },
];

/**
 * Umzug, loaded on first use: it brings its command-line tool along, about 180 modules and 4 MB of
 * heap that a server process would keep for its whole life though a restart finds nothing to do.
 */
export async function createMigrator(sequelize: Sequelize, log: (message: string) => void = () => {}) {
  const { SequelizeStorage, Umzug } = await import('umzug');
  return new Umzug({
    migrations: migrations.map((m) => ({
      name: m.name,
      up: () => m.up({ context: sequelize.getQueryInterface() }),
      down: () => m.down({ context: sequelize.getQueryInterface() }),
    })),
    storage: new SequelizeStorage({ sequelize }),
    logger: {
      info: (event: Record<string, unknown>) => {
        if (event.event === 'migrated') log(`migrated ${String(event.name)}`);
      },
      warn: () => {},
      error: () => {},
      debug: () => {},
    },
  });
}

/**
 * Whether the database already records every migration in umzug's table (SequelizeMeta, one row per
 * name), which is what a restart or a PM2 reload finds. No table yet, or anything else unexpected,
 * counts as no: umzug then decides.
 */
async function allApplied(sequelize: Sequelize): Promise<boolean> {
  try {
    const rows = await sequelize.query<{ name: string }>('SELECT name FROM SequelizeMeta', { type: QueryTypes.SELECT });
    const done = new Set(rows.map((r) => r.name));
    return migrations.every((m) => done.has(m.name));
  } catch {
    return false;
  }
}

/** Applies every pending migration; returns the names applied. Umzug is loaded only when one is pending. */
export async function migrate(sequelize: Sequelize, log?: (message: string) => void): Promise<string[]> {
  if (await allApplied(sequelize)) return [];
  const applied = await (await createMigrator(sequelize, log)).up();
  return applied.map((m) => m.name);
}
