import { DataTypes, type QueryInterface } from 'sequelize';

const tableOptions = { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci', engine: 'InnoDB' };

/**
 * One counter per cached view of the data. Every app process keeps its own copy of what it caches
 * (PM2 workers share no memory) and compares its copy's stamp with this row; whoever changes what
 * the copy holds bumps the row in the same transaction. See services/catalog-cache.ts.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (!(await qi.tableExists('CacheStamps'))) {
    await qi.createTable('CacheStamps', {
      name: { type: DataTypes.STRING(40), primaryKey: true, allowNull: false },
      version: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    }, tableOptions);
  }
  // Ignore-on-conflict in both dialects, so a database built from db/schema.sql keeps its row.
  const insert = qi.sequelize.getDialect() === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
  await qi.sequelize.query(`${insert} INTO CacheStamps (name, version) VALUES ('catalog', 0)`);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('CacheStamps');
}
