import { QueryTypes, type Sequelize } from 'sequelize';
import { ADMIN_SEARCH_COLUMNS, SQLITE_SEARCH_TABLE, STORE_SEARCH_COLUMNS } from '../db/migrations/0004-book-search';
import { booleanModeMatch, fts5Match, type SearchWords } from '../lib/search-text';

export interface BookSearch {
  words: SearchWords;
  /** The store searches title, author and description; the admin list title and author only. */
  scope: 'store' | 'admin';
  /** listed: books in the store; hidden: books an admin removed; all: both. */
  status: 'listed' | 'hidden' | 'all';
}

interface SqlParts {
  from: string;
  where: string;
  rank: string;
  replacements: Record<string, unknown>;
}

const STATUS_WHERE = { listed: 'b.removedAt IS NULL', hidden: 'b.removedAt IS NOT NULL', all: '' } as const;

/**
 * One query for both databases' full-text indexes, in the same shape: the index finds the books
 * that have every indexed word, and the short words and stopwords narrow them down.
 */
function sqlFor(sequelize: Sequelize, search: BookSearch): SqlParts {
  const columns = search.scope === 'store' ? STORE_SEARCH_COLUMNS : ADMIN_SEARCH_COLUMNS;
  const replacements: Record<string, unknown> = {};
  const conditions: string[] = [];
  if (STATUS_WHERE[search.status]) conditions.push(STATUS_WHERE[search.status]);
  search.words.filters.forEach((word, i) => {
    // Filter words are letters and digits only (searchWords), so they hold no LIKE wildcard.
    replacements[`filter${i}`] = `%${word}%`;
    conditions.push(`(${columns.map((c) => `b.${c} LIKE :filter${i}`).join(' OR ')})`);
  });
  if (sequelize.getDialect() === 'mysql') {
    replacements.match = booleanModeMatch(search.words.indexed);
    const match = `MATCH (${columns.map((c) => `b.${c}`).join(', ')}) AGAINST (:match IN BOOLEAN MODE)`;
    return { from: 'Books b', where: [match, ...conditions].join(' AND '), rank: `${match} DESC`, replacements };
  }
  const T = SQLITE_SEARCH_TABLE;
  replacements.match = fts5Match(search.words.indexed, search.scope === 'store' ? undefined : columns);
  // bm25 weights per FTS column (title, authorName, bookDescription): a word in the title or the
  // author's name counts for more than one in the blurb. Lower is better.
  return {
    from: `${T} JOIN Books b ON b.id = ${T}.rowid`,
    where: [`${T} MATCH :match`, ...conditions].join(' AND '),
    rank: `bm25(${T}, 10.0, 5.0, 1.0)`,
    replacements,
  };
}

/** How many books match. Nothing matches when no word can be looked up in the index. */
export async function countMatchingBooks(sequelize: Sequelize, search: BookSearch): Promise<number> {
  if (search.words.indexed.length === 0) return 0;
  const sql = sqlFor(sequelize, search);
  const [row] = await sequelize.query<{ total: number | string }>(`SELECT COUNT(*) AS total FROM ${sql.from} WHERE ${sql.where}`, {
    replacements: sql.replacements,
    type: QueryTypes.SELECT,
  });
  return Number(row?.total ?? 0);
}

/** The SQL of one page of matching books, most relevant first, then by title (exported for EXPLAIN in tests). */
export function searchPageQuery(sequelize: Sequelize, search: BookSearch, page: { limit: number; offset: number }) {
  const sql = sqlFor(sequelize, search);
  return {
    sql: `SELECT b.id AS id FROM ${sql.from} WHERE ${sql.where} ORDER BY ${sql.rank}, b.title, b.id LIMIT :limit OFFSET :offset`,
    replacements: { ...sql.replacements, limit: page.limit, offset: page.offset },
  };
}

/** The ids of one page of matching books, in their order. */
export async function matchingBookIds(sequelize: Sequelize, search: BookSearch, page: { limit: number; offset: number }): Promise<number[]> {
  if (search.words.indexed.length === 0) return [];
  const { sql, replacements } = searchPageQuery(sequelize, search, page);
  const rows = await sequelize.query<{ id: number }>(sql, { replacements, type: QueryTypes.SELECT });
  return rows.map((r) => Number(r.id));
}
