import type { QueryInterface } from 'sequelize';

/**
 * The 'stock' stamp: bumped by every sale, read by the page cache next to 'catalog' (see
 * services/catalog-cache.ts). A row of its own so that orders do not also empty the menu cache.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const insert = qi.sequelize.getDialect() === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
  await qi.sequelize.query(`${insert} INTO CacheStamps (name, version) VALUES ('stock', 0)`);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.sequelize.query(`DELETE FROM CacheStamps WHERE name = 'stock'`);
}
