import { ForeignKeyConstraintError, QueryTypes, UniqueConstraintError, col, fn, type Transaction } from 'sequelize';
import type { Database } from '../../db/connection';
import { Author, Book } from '../../models';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { recordAudit, type Actor } from '../audit';
import { SEARCH_MAX_LENGTH, type Page } from '../catalog';
import type { AuthorInput } from '../../validation/author';
import { pageSlice } from '../../lib/pagination';
import { inIdOrder, pageIds } from '../page-ids';
import { authorSearchName, booleanModeMatch, fts5Match, searchWords, type SearchWords } from '../../lib/search-text';
import { AUTHOR_SEARCH_COLUMNS, SQLITE_AUTHOR_SEARCH_TABLE } from '../../db/migrations/0007-author-search';

export interface AdminAuthorView {
  id: number;
  firstName: string;
  lastName: string;
  /** "Elin Hilderbrand", or just "Homer". */
  name: string;
}

export interface AdminAuthorRow extends AdminAuthorView {
  /** "Hilderbrand, Elin": the list is sorted by last name, so it reads that way too. */
  sortName: string;
  /** Every book that points at the author, hidden ones included: any of them blocks removal. */
  bookCount: number;
  hiddenCount: number;
  editUrl: string;
  deleteUrl: string;
}

export interface AuthorBooks {
  bookCount: number;
  hiddenCount: number;
}

export type AuthorUpdate = { author: AdminAuthorView; changed: boolean };

const NOT_FOUND = 'We could not find that author. They may have been removed.';

function toView(author: Author): AdminAuthorView {
  return { id: author.id, firstName: author.firstName, lastName: author.lastName, name: author.fullName };
}

const displayName = (input: AuthorInput) => `${input.firstName} ${input.lastName}`.trim();

/** What the audit log keeps of an author: enough to tell the entry apart and to undo it by hand. */
const auditedFields = (a: { firstName: string; lastName: string }) => ({ firstName: a.firstName, lastName: a.lastName });

/** The unique index (lastName, firstName) is the one judge of duplicates, so two racing requests get the same answer. */
function duplicateError(input: AuthorInput): ConflictError {
  const message = `There is already an author named ${displayName(input)}.`;
  return new ConflictError('author_exists', message, { lastName: message });
}

function booksMessage(name: string, counts: AuthorBooks): string {
  const books = counts.bookCount === 1 ? '1 book' : `${counts.bookCount} books`;
  const hidden = counts.hiddenCount === 0 ? ''
    : counts.hiddenCount === counts.bookCount ? (counts.bookCount === 1 ? ' (hidden from the store)' : ' (all hidden from the store)')
      : ` (${counts.hiddenCount} of them hidden from the store)`;
  return `${name} still has ${books}${hidden}. Remove their books or give them to another author first.`;
}

/**
 * Books per author for a handful of authors, in one GROUP BY on the books_author index.
 * COUNT(removedAt) counts only the non-null values, that is the hidden books. Inside a transaction
 * it is a locking read, so MySQL counts the latest committed books rather than an older snapshot.
 */
async function bookCounts(authorIds: number[], transaction?: Transaction): Promise<Map<number, AuthorBooks>> {
  const counts = new Map<number, AuthorBooks>();
  if (authorIds.length === 0) return counts;
  const rows = (await Book.findAll({
    attributes: ['AuthorId', [fn('COUNT', col('id')), 'bookCount'], [fn('COUNT', col('removedAt')), 'hiddenCount']],
    where: { AuthorId: authorIds },
    group: ['AuthorId'],
    raw: true,
    ...(transaction ? { transaction, lock: transaction.LOCK.SHARE } : {}),
  })) as unknown as Array<{ AuthorId: number; bookCount: number | string; hiddenCount: number | string }>;
  for (const row of rows) {
    counts.set(Number(row.AuthorId), { bookCount: Number(row.bookCount), hiddenCount: Number(row.hiddenCount) });
  }
  return counts;
}

const noBooks: AuthorBooks = { bookCount: 0, hiddenCount: 0 };

/**
 * One page of the authors a search finds, by last then first name: every indexed word must start a
 * word of the first or last name (the full-text index finds them), and short words and stopwords
 * narrow those down, as in the store's book search; a search of short words alone looks up last
 * names that start with the first. Sorting by name is over the matches only.
 */
async function searchedAuthorIds(db: Database, words: SearchWords, requested: { page: number; perPage: number }) {
  const mysql = db.dialect === 'mysql';
  const T = SQLITE_AUTHOR_SEARCH_TABLE;
  const replacements: Record<string, unknown> = {};
  const conditions: string[] = [];
  let from: string;
  if (words.indexed.length > 0) {
    replacements.match = mysql ? booleanModeMatch(words.indexed) : fts5Match(words.indexed);
    conditions.push(mysql ? `MATCH (${AUTHOR_SEARCH_COLUMNS.map((c) => `a.${c}`).join(', ')}) AGAINST (:match IN BOOLEAN MODE)` : `${T} MATCH :match`);
    from = mysql ? 'Authors a' : `${T} JOIN Authors a ON a.id = ${T}.rowid`;
  } else {
    // Only short words ("Wu", "Ng", "Li"): the full-text index holds none of them, but plenty of
    // surnames are that short. The first word starts the last name, read as a range of the name
    // index (MySQL's case-insensitive one, SQLite's NOCASE one from migration 0007).
    replacements.start = `${words.filters[0]}%`;
    conditions.push('a.lastName LIKE :start');
    from = 'Authors a';
  }
  words.filters.forEach((word, i) => {
    // Filter words are letters and digits only (searchWords), so they hold no LIKE wildcard.
    replacements[`filter${i}`] = `%${word}%`;
    conditions.push(`(a.firstName LIKE :filter${i} OR a.lastName LIKE :filter${i})`);
  });
  const where = conditions.join(' AND ');
  const read = (offset: number) => db.sequelize.query<{ id: number; total: number | string }>(
    `SELECT a.id AS id, COUNT(*) OVER () AS total FROM ${from} WHERE ${where} ORDER BY a.lastName, a.firstName LIMIT :limit OFFSET :offset`,
    { replacements: { ...replacements, limit: requested.perPage, offset }, type: QueryTypes.SELECT },
  );
  const wanted = pageSlice(Number.MAX_SAFE_INTEGER, requested.page, requested.perPage);
  let rows = await read(wanted.offset);
  if (rows.length === 0 && wanted.page > 1) {
    // Past the end, so the window counted nothing: count, then read the last page.
    const [row] = await db.sequelize.query<{ total: number | string }>(`SELECT COUNT(*) AS total FROM ${from} WHERE ${where}`, {
      replacements,
      type: QueryTypes.SELECT,
    });
    const counted = Number(row?.total ?? 0);
    if (counted > 0) rows = await read(pageSlice(counted, requested.page, requested.perPage).offset);
  }
  const total = Number(rows[0]?.total ?? 0);
  const { page, pageCount } = pageSlice(total, requested.page, requested.perPage);
  return { ids: rows.map((r) => Number(r.id)), total, page, pageCount };
}

/** Every author by last then first name: the page's ids from the name index alone (the far half read backwards). */
async function allAuthorIds(requested: { page: number; perPage: number }) {
  const total = await Author.count();
  const { page, pageCount, offset } = pageSlice(total, requested.page, requested.perPage);
  // (lastName, firstName) is unique, so it is a complete order by itself, and exactly that index's.
  const ids = await pageIds(Author, { where: {}, order: [['lastName', 'ASC'], ['firstName', 'ASC']], total, offset, perPage: requested.perPage });
  return { ids, total, page, pageCount };
}

export function createAdminAuthorService(db: Database) {
  async function findOrFail(id: number): Promise<Author> {
    const author = await Author.findByPk(id);
    if (!author) throw new NotFoundError(NOT_FOUND);
    return author;
  }

  return {
    /** One page of authors by last then first name, each with their number of books. */
    async listAuthors(options: { query: string; page: number; perPage: number }): Promise<Page<AdminAuthorRow>> {
      const words = searchWords(options.query.slice(0, SEARCH_MAX_LENGTH));
      // A search that left no words (only punctuation) lists everyone, as an empty box does.
      const { ids, total, page, pageCount } = words.indexed.length + words.filters.length > 0
        ? await searchedAuthorIds(db, words, options)
        : await allAuthorIds(options);
      const authors = inIdOrder(ids, ids.length === 0 ? [] : await Author.findAll({ where: { id: ids } }));
      const counts = await bookCounts(authors.map((a) => a.id));
      const items = authors.map((author): AdminAuthorRow => ({
        ...toView(author),
        sortName: author.firstName ? `${author.lastName}, ${author.firstName}` : author.lastName,
        ...(counts.get(author.id) ?? noBooks),
        editUrl: `/admin/authors/${author.id}/edit`,
        deleteUrl: `/admin/authors/${author.id}/delete`,
      }));
      return { items, page, pageCount, total, perPage: options.perPage };
    },

    async getAuthor(id: number): Promise<AdminAuthorView> {
      return toView(await findOrFail(id));
    },

    /** The author and what still points at them, for the confirmation page. */
    async getAuthorForRemoval(id: number): Promise<AdminAuthorView & AuthorBooks & { blockedMessage: string | null }> {
      const author = toView(await findOrFail(id));
      const counts = (await bookCounts([id])).get(id) ?? noBooks;
      return { ...author, ...counts, blockedMessage: counts.bookCount > 0 ? booksMessage(author.name, counts) : null };
    },

    async createAuthor(actor: Actor, input: AuthorInput): Promise<AdminAuthorView> {
      try {
        return await db.writeTransaction(async (transaction) => {
          const author = await Author.create({ firstName: input.firstName, lastName: input.lastName }, { transaction });
          await recordAudit(transaction, actor, {
            action: 'author.create',
            entityType: 'author',
            entityId: author.id,
            summary: `Added author ${author.fullName}`,
            details: { after: auditedFields(author) },
          });
          return toView(author);
        });
      } catch (error) {
        if (error instanceof UniqueConstraintError) throw duplicateError(input);
        throw error;
      }
    },

    /** Renames an author. Saving the same name again changes nothing and is not audited. */
    async updateAuthor(actor: Actor, id: number, input: AuthorInput): Promise<AuthorUpdate> {
      try {
        return await db.writeTransaction(async (transaction) => {
          const author = await Author.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
          if (!author) throw new NotFoundError(NOT_FOUND);
          const before = auditedFields(author);
          if (before.firstName === input.firstName && before.lastName === input.lastName) {
            return { author: toView(author), changed: false };
          }
          await author.update({ firstName: input.firstName, lastName: input.lastName }, { transaction });
          // Their books' copy of the name, for search; updatedAt moves too, as the drawn covers show the name.
          await Book.update({ authorName: authorSearchName(author) }, { where: { AuthorId: author.id }, transaction });
          const after = auditedFields(author);
          await recordAudit(transaction, actor, {
            action: 'author.update',
            entityType: 'author',
            entityId: author.id,
            summary: `Renamed author ${displayName(before)} to ${author.fullName}`,
            details: { before, after },
          });
          return { author: toView(author), changed: true };
        });
      } catch (error) {
        if (error instanceof UniqueConstraintError) throw duplicateError(input);
        throw error;
      }
    },

    /**
     * Removes an author who has no books at all, hidden ones included (Books.AuthorId is ON DELETE
     * RESTRICT). The author row is locked before the books are counted: on MySQL a book insert
     * must take a shared lock on that row for its foreign-key check, so none can be added between
     * our count and our delete; on SQLite the write transaction already excludes every other writer.
     */
    async removeAuthor(actor: Actor, id: number): Promise<AdminAuthorView> {
      try {
        return await db.writeTransaction(async (transaction) => {
          const author = await Author.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
          if (!author) throw new NotFoundError(NOT_FOUND);
          const counts = (await bookCounts([id], transaction)).get(id) ?? noBooks;
          if (counts.bookCount > 0) throw new ConflictError('author_has_books', booksMessage(author.fullName, counts));
          const view = toView(author);
          await author.destroy({ transaction });
          await recordAudit(transaction, actor, {
            action: 'author.delete',
            entityType: 'author',
            entityId: view.id,
            summary: `Removed author ${view.name}`,
            details: { before: auditedFields(view) },
          });
          return view;
        });
      } catch (error) {
        // The foreign key is the last line of defence should a book ever get past the count.
        if (error instanceof ForeignKeyConstraintError) {
          throw new ConflictError('author_has_books', 'This author still has books. Remove their books or give them to another author first.');
        }
        throw error;
      }
    },
  };
}

export type AdminAuthorService = ReturnType<typeof createAdminAuthorService>;
