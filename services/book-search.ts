import { QueryTypes, type Sequelize } from 'sequelize';
import { ADMIN_SEARCH_COLUMNS, SQLITE_SEARCH_TABLE, STORE_SEARCH_COLUMNS } from '../db/migrations/0004-book-search';
import { booleanModeMatch, fts5Match, type SearchWords } from '../lib/search-text';
import { pageSlice } from '../lib/pagination';

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
  /** How well a book matches, as a column; sorted by `order`. */
  score: string;
  order: 'ASC' | 'DESC';
  replacements: Record<string, unknown>;
}

const STATUS_WHERE = { listed: 'b.removedAt IS NULL', hidden: 'b.removedAt IS NOT NULL', all: '' } as const;

/**
 * One query for both databases' full-text indexes, in the same shape: the index finds the books
 * that have every indexed word, and the short words and stopwords narrow them down. A search with
 * no indexed word reads titles that start with its first word instead.
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
  if (search.words.indexed.length === 0) {
    // Only short words and stopwords ("It", "On the"): no full-text index holds them, but titles
    // like that exist. The first word starts the title, read as a range of a case-insensitive
    // title index (MySQL's collation, SQLite's NOCASE index from migration 0008), in title order.
    replacements.start = `${search.words.filters[0]}%`;
    // Named on SQLite: without statistics its planner takes the removedAt index, though nearly
    // every book is listed, and reads them all.
    const from = sequelize.getDialect() === 'mysql' ? 'Books b' : 'Books b INDEXED BY books_title_nocase';
    return { from, where: ['b.title LIKE :start', ...conditions].join(' AND '), score: 'b.title', order: 'ASC', replacements };
  }
  if (sequelize.getDialect() === 'mysql') {
    replacements.match = booleanModeMatch(search.words.indexed);
    const match = `MATCH (${columns.map((c) => `b.${c}`).join(', ')}) AGAINST (:match IN BOOLEAN MODE)`;
    return { from: 'Books b', where: [match, ...conditions].join(' AND '), score: match, order: 'DESC', replacements };
  }
  const T = SQLITE_SEARCH_TABLE;
  replacements.match = fts5Match(search.words.indexed, search.scope === 'store' ? undefined : columns);
  // bm25 weights per FTS column (title, authorName, bookDescription): a word in the title or the
  // author's name counts for more than one in the blurb. Lower is better.
  return {
    from: `${T} JOIN Books b ON b.id = ${T}.rowid`,
    where: [`${T} MATCH :match`, ...conditions].join(' AND '),
    score: `bm25(${T}, 10.0, 5.0, 1.0)`,
    order: 'ASC',
    replacements,
  };
}

export interface SearchPage {
  /** Matching book ids of the page, in order. */
  ids: number[];
  total: number;
  page: number;
  pageCount: number;
}

/** The SQL of one page of matching books, most relevant first, then by title (exported for EXPLAIN in tests). */
export function searchPageQuery(sequelize: Sequelize, search: BookSearch, page: { limit: number; offset: number }) {
  const sql = sqlFor(sequelize, search);
  // The count rides along as a window over every match: the full-text lookup, which is most of the
  // cost with thousands of matches, then runs once instead of twice. The score is taken in a
  // subquery because FTS5 computes bm25() only while it reads its own index.
  return {
    sql: `SELECT m.id AS id, COUNT(*) OVER () AS total
      FROM (SELECT b.id AS id, b.title AS title, ${sql.score} AS score FROM ${sql.from} WHERE ${sql.where}) m
      ORDER BY m.score ${sql.order}, m.title, m.id LIMIT :limit OFFSET :offset`,
    replacements: { ...sql.replacements, limit: page.limit, offset: page.offset },
  };
}

async function runPage(sequelize: Sequelize, search: BookSearch, limit: number, offset: number) {
  const { sql, replacements } = searchPageQuery(sequelize, search, { limit, offset });
  return sequelize.query<{ id: number; total: number | string }>(sql, { replacements, type: QueryTypes.SELECT });
}

/**
 * One page of a search and the number of matches. A page past the end (an old link, a shortened
 * search) shows the last page, like every other list; a search without a single word matches nothing.
 */
export async function searchPage(sequelize: Sequelize, search: BookSearch, requested: { page: number; perPage: number }): Promise<SearchPage> {
  if (search.words.indexed.length === 0 && search.words.filters.length === 0) return { ids: [], total: 0, page: 1, pageCount: 1 };
  const wanted = pageSlice(Number.MAX_SAFE_INTEGER, requested.page, requested.perPage);
  let rows = await runPage(sequelize, search, requested.perPage, wanted.offset);
  if (rows.length === 0 && wanted.page > 1) {
    // Past the end, so the window counted nothing: count, then read the last page.
    const sql = sqlFor(sequelize, search);
    const [row] = await sequelize.query<{ total: number | string }>(`SELECT COUNT(*) AS total FROM ${sql.from} WHERE ${sql.where}`, {
      replacements: sql.replacements,
      type: QueryTypes.SELECT,
    });
    const counted = Number(row?.total ?? 0);
    const last = pageSlice(counted, requested.page, requested.perPage);
    if (counted > 0) rows = await runPage(sequelize, search, requested.perPage, last.offset);
  }
  const total = Number(rows[0]?.total ?? 0);
  const { page, pageCount } = pageSlice(total, requested.page, requested.perPage);
  return { ids: rows.map((r) => Number(r.id)), total, page, pageCount };
}
