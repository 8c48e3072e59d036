import { Op, fn, col, literal, type Order, type WhereOptions } from 'sequelize';
import { Author, Book, BookCover } from '../models';
import { NotFoundError } from '../lib/errors';
import { toCents } from '../lib/money';
import { slugify } from '../lib/slug';
import { pageSlice } from '../lib/pagination';
import { inIdOrder, pageIds } from './page-ids';
import { searchWords } from '../lib/search-text';
import { searchPage, type BookSearch } from './book-search';
import { parseSqlDate, sqlRunner } from '../db/sql';
import { authorFullName } from '../models/author';

/** What every page knows about a book: plain data, ready for a view or JSON. */
export interface BookSummary {
  id: number;
  title: string;
  url: string;
  coverUrl: string;
  authorId: number;
  authorName: string;
  genre: string;
  genreSlug: string;
  pubYear: number | null;
  priceCents: number;
  inventory: number;
  inStock: boolean;
}

export interface BookDetail extends BookSummary {
  description: string;
  otherBooksByAuthor: BookSummary[];
}

export interface Genre {
  name: string;
  slug: string;
  count: number;
  url: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageCount: number;
  total: number;
  perPage: number;
}

/** Each order and the index that holds it (books_listed_<index> store-wide, books_genre_listed_<index> in a category). */
export const SORTS = {
  title: { label: 'Title (A–Z)', order: [['title', 'ASC'], ['id', 'ASC']], index: 'title' },
  'price-asc': { label: 'Price (low to high)', order: [['price', 'ASC'], ['title', 'ASC'], ['id', 'ASC']], index: 'price' },
  'price-desc': { label: 'Price (high to low)', order: [['price', 'DESC'], ['title', 'ASC'], ['id', 'ASC']], index: 'price_desc' },
  'year-desc': { label: 'Newest first', order: [['pubYear', 'DESC'], ['title', 'ASC'], ['id', 'ASC']], index: 'year_desc' },
  'year-asc': { label: 'Oldest first', order: [['pubYear', 'ASC'], ['title', 'ASC'], ['id', 'ASC']], index: 'year' },
} as const satisfies Record<string, { label: string; order: Order; index: string }>;
export type SortKey = keyof typeof SORTS;

export const SEARCH_MAX_LENGTH = 100;
const FEATURED_GENRES = 6;
const FEATURED_PER_GENRE = 2;
const OTHER_BY_AUTHOR = 6;

export function bookUrl(id: number, title: string): string {
  const slug = slugify(title);
  return slug ? `/books/${id}-${slug}` : `/books/${id}`;
}

const COVER_EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** The file extension of a book's cover URL: its uploaded image's type, or the generated SVG. */
export function coverExtension(coverType: string | null | undefined): string {
  return (coverType && COVER_EXTENSIONS[coverType]) || 'svg';
}

/** A book's cover: its uploaded image or the drawn SVG, versioned by updatedAt so a change gets a new URL. */
export function coverUrl(book: Pick<Book, 'id' | 'coverType' | 'updatedAt'>): string {
  const stamp = book.updatedAt instanceof Date ? book.updatedAt.getTime() : 0;
  return `/books/${book.id}/cover.${coverExtension(book.coverType)}?v=${stamp}`;
}

/** What a book summary is made of, whether read through the models or by plain SQL. */
interface SummaryFields {
  id: number;
  title: string;
  AuthorId: number;
  genre: string;
  pubYear: number | null;
  price: string | number;
  inventory: number;
  coverType: Book['coverType'];
  updatedAt: Date;
}

function summaryOf(book: SummaryFields, authorName: string): BookSummary {
  return {
    id: book.id,
    title: book.title,
    url: bookUrl(book.id, book.title),
    coverUrl: coverUrl(book),
    authorId: book.AuthorId,
    authorName,
    genre: book.genre,
    genreSlug: slugify(book.genre),
    pubYear: book.pubYear,
    priceCents: toCents(book.price),
    inventory: book.inventory,
    inStock: book.inventory > 0,
  };
}

function toSummary(book: Book): BookSummary {
  return summaryOf(book, book.Author?.fullName ?? 'Unknown author');
}

const withAuthor = { model: Author, attributes: ['id', 'firstName', 'lastName'] };
/** Books an admin removed stay in the table for order history, but the store never shows them. */
const LISTED = { removedAt: null };

/**
 * LISTED for a query that another index serves (a category's newest books, an author's books, low
 * stock). On SQLite the unary + keeps removedAt out of index choice: its planner takes "removedAt IS
 * NULL" for a narrow search (it cannot know that nearly every book is listed) and would walk a
 * whole removedAt-led listing index instead. MySQL estimates it from the index itself.
 */
export function listedFilter(): WhereOptions<Book> {
  return Book.sequelize!.getDialect() === 'sqlite' ? literal('+`Book`.`removedAt` IS NULL') : LISTED;
}
const summaryAttributes = ['id', 'title', 'genre', 'pubYear', 'price', 'inventory', 'AuthorId', 'coverType', 'updatedAt'];

async function pageOf(filter: WhereOptions<Book>, order: Order, page: number, perPage: number): Promise<Page<BookSummary>> {
  const where = { [Op.and]: [LISTED, filter] } as WhereOptions<Book>;
  const total = await Book.count({ where, include: [withAuthor] });
  const { page: current, pageCount, offset } = pageSlice(total, page, perPage);
  const rows = await Book.findAll({
    where,
    include: [withAuthor],
    attributes: summaryAttributes,
    order,
    limit: perPage,
    offset,
  });
  return { items: rows.map(toSummary), page: current, pageCount, total, perPage };
}

/**
 * One page of listed books when the number of them is already known (from the genre counts): the
 * page's ids from the listing's index alone, the far half of the list read backwards (see
 * pageIds), then just those rows with their authors. No COUNT, and no step over every row
 * before the page.
 */
async function listingPage(
  filter: { genre?: string },
  sort: SortKey,
  total: number,
  requested: number,
  perPage: number,
): Promise<Page<BookSummary>> {
  const { page, pageCount, offset } = pageSlice(total, requested, perPage);
  const { order, index } = SORTS[sort];
  const ids = await pageIds(Book, {
    where: { ...LISTED, ...filter },
    order,
    index: `books_${filter.genre === undefined ? '' : 'genre_'}listed_${index}`,
    total,
    offset,
    perPage,
  });
  const rows = ids.length === 0 ? [] : await Book.findAll({ where: { id: ids }, include: [withAuthor], attributes: summaryAttributes });
  // A book hidden between the two reads is simply left out of this page.
  const items = inIdOrder(ids, rows).map(toSummary);
  return { items, page, pageCount, total, perPage };
}

export async function listGenres(): Promise<Genre[]> {
  const rows = (await Book.findAll({
    attributes: ['genre', [fn('COUNT', col('id')), 'count']],
    where: LISTED,
    group: ['genre'],
    order: [['genre', 'ASC']],
    raw: true,
  })) as unknown as Array<{ genre: string; count: number | string }>;
  return rows.map((r) => {
    const slug = slugify(r.genre);
    return { name: r.genre, slug, count: Number(r.count), url: `/category/${slug}` };
  });
}

/** The home page's picks: the newest in-stock titles of each of the largest categories. */
export async function featuredBooks(): Promise<BookSummary[]> {
  const genres = (await listGenres()).sort((a, b) => b.count - a.count).slice(0, FEATURED_GENRES);
  const perGenre = await Promise.all(
    genres.map((genre) =>
      Book.findAll({
        where: { [Op.and]: [listedFilter(), { genre: genre.name, inventory: { [Op.gt]: 0 } }] },
        include: [withAuthor],
        attributes: summaryAttributes,
        order: [['pubYear', 'DESC'], ['id', 'DESC']],
        limit: FEATURED_PER_GENRE,
      }),
    ),
  );
  return perGenre.flat().map(toSummary);
}

/** Every listed book, a page at a time. `genres`: a (cached) listGenres(), whose counts give the total. */
export async function listBooks(options: { page: number; sort: SortKey; perPage: number }, genres?: readonly Genre[]): Promise<Page<BookSummary>> {
  const total = (genres ?? (await listGenres())).reduce((sum, genre) => sum + genre.count, 0);
  return listingPage({}, options.sort, total, options.page, options.perPage);
}

/** Books of one category, by its URL slug; an unknown slug is a 404. `genres`: a (cached) listGenres(). */
export async function booksInGenre(
  slug: string,
  options: { page: number; sort: SortKey; perPage: number },
  genres?: readonly Genre[],
): Promise<{ genre: Genre; books: Page<BookSummary> }> {
  const genre = (genres ?? (await listGenres())).find((g) => g.slug === slug);
  if (!genre) throw new NotFoundError('We have no category by that name.');
  const books = await listingPage({ genre: genre.name }, options.sort, genre.count, options.page, options.perPage);
  return { genre, books };
}

/**
 * Every word must start a word of the title, the author's name or the description (short words
 * and stopwords need only appear in one of them), most relevant first. Runs on the full-text index.
 */
export async function searchBooks(query: string, options: { page: number; perPage: number }): Promise<Page<BookSummary>> {
  const sequelize = Book.sequelize!;
  const search: BookSearch = { words: searchWords(query), scope: 'store', status: 'listed' };
  const { ids, total, page, pageCount } = await searchPage(sequelize, search, options);
  return { items: await summariesInOrder(ids), page, pageCount, total, perPage: options.perPage };
}

/** The listed books with these ids, in the given order (a book hidden in between is left out). */
async function summariesInOrder(ids: number[]): Promise<BookSummary[]> {
  if (ids.length === 0) return [];
  const rows = await Book.findAll({ where: { ...LISTED, id: { [Op.in]: ids } }, include: [withAuthor], attributes: summaryAttributes });
  const byId = new Map(rows.map((b) => [b.id, b]));
  return ids.flatMap((id) => {
    const book = byId.get(id);
    return book ? [toSummary(book)] : [];
  });
}

/** A book with its author's name, as the book page's plain-SQL reads return it. */
interface BookRow {
  id: number;
  title: string;
  genre: string;
  pubYear: number | null;
  price: string | number;
  inventory: number;
  AuthorId: number;
  coverType: string | null;
  updatedAt: unknown;
  firstName: string | null;
  lastName: string | null;
  bookDescription?: string | null;
}

function rowSummary(row: BookRow): BookSummary {
  const authorName = row.firstName === null && row.lastName === null ? 'Unknown author' : authorFullName(row.firstName, row.lastName);
  return summaryOf({ ...row, coverType: row.coverType as Book['coverType'], updatedAt: parseSqlDate(row.updatedAt) }, authorName);
}

const BOOK_COLUMNS = 'b.id, b.title, b.genre, b.pubYear, b.price, b.inventory, b.AuthorId, b.coverType, b.updatedAt, a.firstName, a.lastName';

/**
 * The book page: the book and a few more by its author, in two plain statements. Every page the
 * cache misses (after each sale, since the page shows the stock) starts here, and the model
 * pipeline cost several times the statements.
 */
export async function getBook(id: number): Promise<BookDetail> {
  const sql = sqlRunner(Book.sequelize!);
  const book = await sql.one<BookRow>(
    `SELECT ${BOOK_COLUMNS}, b.bookDescription FROM Books b LEFT JOIN Authors a ON a.id = b.AuthorId WHERE b.id = ? AND b.removedAt IS NULL`,
    [id],
  );
  if (!book) throw new NotFoundError('We could not find that book. It may have been removed from the store.');
  // The author's few books (books_author), by title; on SQLite the unary + keeps removedAt out of
  // the index choice, as listedFilter() explains.
  const listed = sql.dialect === 'sqlite' ? '+b.removedAt IS NULL' : 'b.removedAt IS NULL';
  const others = await sql.all<BookRow>(
    `SELECT ${BOOK_COLUMNS} FROM Books b LEFT JOIN Authors a ON a.id = b.AuthorId
     WHERE b.AuthorId = ? AND b.id <> ? AND ${listed} ORDER BY b.title ASC LIMIT ${OTHER_BY_AUTHOR}`,
    [book.AuthorId, book.id],
  );
  return {
    ...rowSummary(book),
    description: book.bookDescription ?? '',
    otherBooksByAuthor: others.map(rowSummary),
  };
}

/** Just what a cover needs; null when there is no such book. */
export async function coverFacts(id: number): Promise<(BookSummary & { updatedAt: Date }) | null> {
  const book = await Book.findByPk(id, { include: [withAuthor], attributes: summaryAttributes });
  return book ? { ...toSummary(book), updatedAt: book.updatedAt } : null;
}

/** An uploaded cover image, if this book has one of that type. */
export async function coverImage(id: number, extension: string): Promise<{ mimeType: string; data: Buffer } | null> {
  const cover = await BookCover.findByPk(id);
  if (!cover || coverExtension(cover.mimeType) !== extension) return null;
  return { mimeType: cover.mimeType, data: cover.data };
}
