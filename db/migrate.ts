import type { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import * as initialSchema from './migrations/0001-initial-schema';
import * as accountsAdmin from './migrations/0002-accounts-admin';
import * as catalogScale from './migrations/0003-catalog-scale';
import * as bookSearch from './migrations/0004-book-search';
import * as cacheStamps from './migrations/0005-cache-stamps';
import * as stockStamp from './migrations/0006-stock-stamp';
import * as authorSearch from './migrations/0007-author-search';

/** Every migration, in order. Listed explicitly so the same code runs from source and from dist/. */
const migrations = [
  { name: '0001-initial-schema', ...initialSchema },
  { name: '0002-accounts-admin', ...accountsAdmin },
  { name: '0003-catalog-scale', ...catalogScale },
  { name: '0004-book-search', ...bookSearch },
  { name: '0005-cache-stamps', ...cacheStamps },
  { name: '0006-stock-stamp', ...stockStamp },
  { name: '0007-author-search', ...authorSearch },
];

export function createMigrator(sequelize: Sequelize, log: (message: string) => void = () => {}) {
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

/** Applies every pending migration; returns the names applied. */
export async function migrate(sequelize: Sequelize, log?: (message: string) => void): Promise<string[]> {
  const applied = await createMigrator(sequelize, log).up();
  return applied.map((m) => m.name);
}
