import type { QueryInterface } from 'sequelize';

/** The name columns both databases' full-text indexes over Authors cover, in this order. */
export const AUTHOR_SEARCH_COLUMNS = ['firstName', 'lastName'] as const;

/** SQLite's full-text table over Authors: FTS5 on the authors' own columns, with no copy of the text. */
export const SQLITE_AUTHOR_SEARCH_TABLE = 'AuthorsSearch';

const T = SQLITE_AUTHOR_SEARCH_TABLE;
const columns = AUTHOR_SEARCH_COLUMNS.join(', ');
const newValues = AUTHOR_SEARCH_COLUMNS.map((c) => `new.${c}`).join(', ');
const oldValues = AUTHOR_SEARCH_COLUMNS.map((c) => `old.${c}`).join(', ');

/** As for BooksSearch (0004): the external-content table learns every change from triggers. */
const SQLITE_STATEMENTS = [
  `CREATE VIRTUAL TABLE IF NOT EXISTS ${T} USING fts5(${columns}, content='Authors', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
  `CREATE TRIGGER IF NOT EXISTS authors_search_insert AFTER INSERT ON Authors BEGIN
     INSERT INTO ${T} (rowid, ${columns}) VALUES (new.id, ${newValues});
   END`,
  `CREATE TRIGGER IF NOT EXISTS authors_search_delete AFTER DELETE ON Authors BEGIN
     INSERT INTO ${T} (${T}, rowid, ${columns}) VALUES ('delete', old.id, ${oldValues});
   END`,
  `CREATE TRIGGER IF NOT EXISTS authors_search_update AFTER UPDATE OF ${columns} ON Authors BEGIN
     INSERT INTO ${T} (${T}, rowid, ${columns}) VALUES ('delete', old.id, ${oldValues});
     INSERT INTO ${T} (rowid, ${columns}) VALUES (new.id, ${newValues});
   END`,
];

/**
 * The admin's author search on a full-text index, like the book search (0004): a LIKE '%word%' over
 * 20,000 authors read every row for every search. Checks first, like the earlier migrations, so a
 * database built from db/schema.sql is left as it is.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize = qi.sequelize;
  if (sequelize.getDialect() === 'mysql') {
    const indexes = (await qi.showIndex('Authors')) as Array<{ name: string }>;
    if (!indexes.some((i) => i.name === 'authors_search')) {
      await qi.addIndex('Authors', [...AUTHOR_SEARCH_COLUMNS], { name: 'authors_search', type: 'FULLTEXT' });
    }
    return;
  }
  for (const statement of SQLITE_STATEMENTS) await sequelize.query(statement);
  // Names too short for the full-text index ("Wu") are looked up as a case-insensitive prefix of the
  // last name; SQLite uses an index for LIKE 'wu%' only when the index folds case like LIKE does.
  await sequelize.query('CREATE INDEX IF NOT EXISTS authors_last_name_nocase ON Authors (lastName COLLATE NOCASE)');
  // Indexes the authors already there; safe to repeat, it rebuilds from Authors.
  await sequelize.query(`INSERT INTO ${T} (${T}) VALUES ('rebuild')`);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize = qi.sequelize;
  if (sequelize.getDialect() === 'mysql') {
    await qi.removeIndex('Authors', 'authors_search');
    return;
  }
  for (const trigger of ['authors_search_insert', 'authors_search_delete', 'authors_search_update']) await sequelize.query(`DROP TRIGGER IF EXISTS ${trigger}`);
  await sequelize.query(`DROP TABLE IF EXISTS ${T}`);
  await sequelize.query('DROP INDEX IF EXISTS authors_last_name_nocase');
}
