import type { QueryInterface } from 'sequelize';

/**
 * A search made only of short words or stopwords ("It", "Up", "On the") finds titles that start
 * with its first word: no full-text index holds such words. SQLite uses an index for
 * `title LIKE 'it%'` only when the index folds case as LIKE does, hence a NOCASE one. MySQL's
 * case-insensitive collation lets the existing (removedAt, title) index serve the same range, so
 * there is nothing to do there.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() !== 'sqlite') return;
  await qi.sequelize.query('CREATE INDEX IF NOT EXISTS books_title_nocase ON Books (title COLLATE NOCASE)');
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() !== 'sqlite') return;
  await qi.sequelize.query('DROP INDEX IF EXISTS books_title_nocase');
}
