import { ForeignKeyConstraintError, Op, UniqueConstraintError, fn, col, type Transaction } from 'sequelize';
import type { Database } from '../../db/connection';
import { Author, Book, BookCover, Cart, Cartbook } from '../../models';
import type { CoverType } from '../../models/book-cover';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { toCents } from '../../lib/money';
import { slugify } from '../../lib/slug';
import type { BookForm } from '../../validation/book';
import { recordAudit, type Actor } from '../audit';
import { bookUrl, coverUrl, type Page } from '../catalog';
import { authorSearchName, searchWords } from '../../lib/search-text';
import { searchPage, type BookSearch } from '../book-search';
import { refreshTotals } from '../cart';
import { pageSlice } from '../../lib/pagination';
import { inIdOrder, pageIds } from '../page-ids';

export type BookStatusFilter = 'all' | 'listed' | 'hidden';

export interface AdminBookRow {
  id: number;
  title: string;
  authorName: string;
  genre: string;
  priceCents: number;
  inventory: number;
  hidden: boolean;
  url: string;
}

/** What the edit form starts from: the stored values as the form's strings. */
export interface BookFormValues {
  title: string;
  AuthorId: string;
  /** The author as the form shows it: "Last, First". */
  authorName: string;
  genre: string;
  pubYear: string;
  price: string;
  inventory: string;
  bookDescription: string;
}

export interface AdminBookDetail {
  id: number;
  title: string;
  inventory: number;
  hidden: boolean;
  hasUploadedCover: boolean;
  coverUrl: string;
  url: string;
  values: BookFormValues;
}

export interface UploadedCover {
  type: CoverType;
  data: Buffer;
}

const FORM_STOCK_REASON = 'edited on the book form';

const authorGone = () =>
  new ConflictError('unknown_author', 'That author was just removed. Choose another author or type a new one.', { AuthorId: 'Choose an author from the list.' });

/** The two database rules a form can run into when another admin acts at the same moment. */
function translateRaceErrors(error: unknown): never {
  if (error instanceof UniqueConstraintError) throw duplicateTitle();
  if (error instanceof ForeignKeyConstraintError) throw authorGone();
  throw error;
}

const duplicateTitle = () =>
  new ConflictError('duplicate_book', 'This author already has a book with that title.', {
    title: 'This author already has a book with this title (it may be hidden: see the list with “Hidden” chosen).',
  });

async function lockedBook(id: number, transaction: Transaction): Promise<Book> {
  const book = await Book.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
  if (!book) throw new NotFoundError('There is no book with that number.');
  return book;
}

/** An existing author, or a new one made from the typed names (reusing one that already has them). */
async function resolveAuthor(author: BookForm['author'], actor: Actor, transaction: Transaction): Promise<Author> {
  // Shared locks: the author cannot be removed under us, and on MySQL the read sees the latest rows.
  const lock = transaction.LOCK.SHARE;
  if ('id' in author) {
    const found = await Author.findByPk(author.id, { transaction, lock });
    if (!found) throw authorGone();
    return found;
  }
  const existing = await Author.findOne({ where: { firstName: author.firstName, lastName: author.lastName }, transaction, lock });
  if (existing) return existing;
  const created = await Author.create({ firstName: author.firstName, lastName: author.lastName }, { transaction });
  await recordAudit(transaction, actor, {
    action: 'author.create',
    entityType: 'author',
    entityId: created.id,
    summary: `Added author ${created.fullName} (from the book form)`,
  });
  return created;
}

/** Category names are matched by their URL slug, so “Sci-Fi” typed again joins an existing “Sci Fi”. */
async function canonicalGenre(genre: string, transaction: Transaction): Promise<string> {
  const slug = slugify(genre);
  const rows = (await Book.findAll({ attributes: [[fn('DISTINCT', col('genre')), 'genre']], raw: true, transaction })) as unknown as Array<{ genre: string }>;
  return rows.find((r) => slugify(r.genre) === slug)?.genre ?? genre;
}

async function saveCover(bookId: number, cover: UploadedCover, transaction: Transaction): Promise<void> {
  await BookCover.upsert({ BookId: bookId, mimeType: cover.type, data: cover.data }, { transaction });
}

/** The open carts holding a book, locked in id order. */
async function lockOpenCartsWith(bookId: number, transaction: Transaction): Promise<Cart[]> {
  const lines = await Cartbook.findAll({ where: { BookId: bookId }, attributes: ['CartId'], transaction });
  if (lines.length === 0) return [];
  return Cart.findAll({
    where: { id: { [Op.in]: lines.map((l) => l.CartId) }, status: 'open' },
    order: [['id', 'ASC']],
    transaction,
    lock: transaction.LOCK.UPDATE,
  });
}

/** Takes a book out of the given open carts (its past orders keep it), keeping their totals right. */
async function removeFromCarts(bookId: number, carts: Cart[], transaction: Transaction): Promise<number> {
  for (const cart of carts) {
    await Cartbook.destroy({ where: { CartId: cart.id, BookId: bookId }, transaction });
    await refreshTotals(cart, transaction);
  }
  return carts.length;
}

const AUTHOR_SUGGESTIONS = 8;

/** How the form writes an author: "Last, First", or just the name when there is one. */
export function authorLabel(author: { firstName: string; lastName: string }): string {
  return author.firstName ? `${author.lastName}, ${author.firstName}` : author.lastName;
}

/** Every (first, last) reading of a typed name; a comma marks the last name first. */
function namePairs(typed: string): Array<{ firstName: string; lastName: string }> {
  const text = typed.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!text) return [];
  const comma = text.indexOf(',');
  if (comma >= 0) return [{ lastName: text.slice(0, comma).trim(), firstName: text.slice(comma + 1).trim() }];
  const words = text.split(' ');
  return words.map((_, k) => ({ firstName: words.slice(0, k).join(' '), lastName: words.slice(k).join(' ') }));
}

/** A few authors whose last name starts like the typed one (its last word, or the part before a comma). */
async function authorsLike(typed: string): Promise<Author[]> {
  const text = typed.normalize('NFC').replace(/[%_\\]/g, ' ').replace(/\s+/g, ' ').trim();
  const comma = text.indexOf(',');
  const last = comma >= 0 ? text.slice(0, comma).trim() : text.split(' ').at(-1) ?? '';
  const starts = [...new Set([last, comma >= 0 ? '' : text].filter((t) => t.length > 0))];
  if (starts.length === 0) return [];
  return Author.findAll({
    where: { [Op.or]: starts.map((start) => ({ lastName: { [Op.startsWith]: start } })) },
    attributes: ['id', 'firstName', 'lastName'],
    order: [['lastName', 'ASC'], ['firstName', 'ASC']],
    limit: AUTHOR_SUGGESTIONS,
  });
}

function describeChanges(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after)) {
    if (String(before[key] ?? '') !== String(after[key] ?? '')) changes[key] = { from: before[key] ?? null, to: after[key] ?? null };
  }
  return changes;
}

const listAttributes = ['id', 'title', 'genre', 'price', 'inventory', 'removedAt', 'AuthorId'];
const listInclude = [{ model: Author, attributes: ['id', 'firstName', 'lastName'] }];
type ListPage = { rows: Book[]; total: number; page: number; pageCount: number };

/** The admin list's search, ranked by the full-text index. */
async function searchedBooks(db: Database, search: BookSearch, requested: { page: number; perPage: number }): Promise<ListPage> {
  const { ids, total, page, pageCount } = await searchPage(db.sequelize, search, requested);
  const found = await Book.findAll({ where: { id: { [Op.in]: ids } }, include: listInclude, attributes: listAttributes });
  return { rows: inIdOrder(ids, found), total, page, pageCount };
}

/**
 * The admin list without a search, by title: the page's ids from the title index (the far half of
 * the list read backwards, so the last page costs what the first does), then those books.
 */
async function allBooks(status: BookStatusFilter, requested: { page: number; perPage: number }): Promise<ListPage> {
  const where = status === 'listed' ? { removedAt: null } : status === 'hidden' ? { removedAt: { [Op.ne]: null } } : {};
  const total = await Book.count({ where });
  const { page, pageCount, offset } = pageSlice(total, requested.page, requested.perPage);
  // The index that holds this list in title order, so MySQL never sorts the whole list instead.
  const index = status === 'all' ? 'books_title' : status === 'listed' ? 'books_listed_title' : null;
  const ids = await pageIds(Book, { where, order: [['title', 'ASC'], ['id', 'ASC']], index, total, offset, perPage: requested.perPage });
  const found = await Book.findAll({ where: { id: { [Op.in]: ids } }, include: listInclude, attributes: listAttributes });
  return { rows: inIdOrder(ids, found), total, page, pageCount };
}

export function createAdminBookService(db: Database) {
  return {
    /** The admin list: every book, hidden ones included unless filtered, searchable by title or author. */
    async list(options: { q: string; status: BookStatusFilter; page: number; perPage: number }): Promise<Page<AdminBookRow>> {
      const words = searchWords(options.q);
      // A search that left no words (only punctuation) lists everything, as an empty box does.
      const { rows, total, page, pageCount } = words.indexed.length + words.filters.length > 0
        ? await searchedBooks(db, { words, scope: 'admin', status: options.status }, options)
        : await allBooks(options.status, options);
      const items = rows.map((b): AdminBookRow => ({
        id: b.id,
        title: b.title,
        authorName: b.Author?.fullName ?? '',
        genre: b.genre,
        priceCents: toCents(b.price),
        inventory: b.inventory,
        hidden: b.removedAt !== null,
        url: bookUrl(b.id, b.title),
      }));
      return { items, page, pageCount, total, perPage: options.perPage };
    },

    /**
     * The author a typed name means: "Le Guin, Ursula K." (last, first) or "Ursula K. Le Guin" (each
     * way of splitting it is tried on the unique name index). Exactly one match is the author;
     * otherwise a few names that start like it, for the form's suggestions.
     */
    async authorByName(typed: string): Promise<{ id: number } | { suggestions: string[] }> {
      const pairs = namePairs(typed);
      const found = pairs.length === 0 ? [] : await Author.findAll({
        where: { [Op.or]: pairs },
        attributes: ['id', 'firstName', 'lastName'],
        limit: 2,
      });
      if (found.length === 1) return { id: found[0].id };
      const similar = await authorsLike(typed);
      // SQLite compares names case-sensitively, MySQL not: "elin hilderbrand" means Elin Hilderbrand on both.
      const fold = (a: { firstName: string; lastName: string }) => `${a.firstName}\u0000${a.lastName}`.toLocaleLowerCase('en-US');
      const wanted = new Set(pairs.map(fold));
      const same = found.length === 0 ? similar.filter((a) => wanted.has(fold(a))) : [];
      if (same.length === 1) return { id: same[0].id };
      return { suggestions: similar.map(authorLabel) };
    },

    /** Existing category names, offered as suggestions on the form. */
    async genreChoices(): Promise<string[]> {
      const rows = (await Book.findAll({ attributes: [[fn('DISTINCT', col('genre')), 'genre']], order: [['genre', 'ASC']], raw: true })) as unknown as Array<{ genre: string }>;
      return rows.map((r) => r.genre);
    },

    async get(id: number): Promise<AdminBookDetail> {
      const book = await Book.findByPk(id, { include: [{ model: Author, attributes: ['id', 'firstName', 'lastName'] }] });
      if (!book) throw new NotFoundError('There is no book with that number.');
      return {
        id: book.id,
        title: book.title,
        inventory: book.inventory,
        hidden: book.removedAt !== null,
        hasUploadedCover: book.coverType !== null,
        coverUrl: coverUrl(book),
        url: bookUrl(book.id, book.title),
        values: {
          title: book.title,
          AuthorId: String(book.AuthorId),
          authorName: book.Author ? authorLabel(book.Author) : '',
          genre: book.genre,
          pubYear: book.pubYear === null ? '' : String(book.pubYear),
          price: (toCents(book.price) / 100).toFixed(2),
          inventory: String(book.inventory),
          bookDescription: book.bookDescription ?? '',
        },
      };
    },

    async create(actor: Actor, form: BookForm, cover: UploadedCover | null): Promise<number> {
      try {
        return await db.writeTransaction(async (transaction) => {
          const author = await resolveAuthor(form.author, actor, transaction);
          const genre = await canonicalGenre(form.genre, transaction);
          const book = await Book.create({
            title: form.title,
            AuthorId: author.id,
            genre,
            pubYear: form.pubYear,
            price: form.price,
            inventory: form.inventory,
            bookDescription: form.bookDescription,
            coverType: cover?.type ?? null,
            authorName: authorSearchName(author),
          }, { transaction });
          if (cover) await saveCover(book.id, cover, transaction);
          await recordAudit(transaction, actor, {
            action: 'book.create',
            entityType: 'book',
            entityId: book.id,
            summary: `Added “${book.title}” by ${author.fullName} (${form.inventory} in stock)`,
            details: { title: book.title, author: author.fullName, genre, price: form.price, inventory: form.inventory, cover: cover?.type ?? 'generated' },
          });
          return book.id;
        });
      } catch (error) {
        return translateRaceErrors(error);
      }
    },

    /**
     * Saves the form. The stock is written only when the admin changed the number on the form
     * (`inventoryWas` is what the form showed), and only if nobody else changed it meanwhile: a sale
     * while the form was open must not be overwritten by a stale number, nor block other edits.
     */
    async update(actor: Actor, id: number, form: BookForm, options: { inventoryWas: number; cover: UploadedCover | null; removeCover: boolean }): Promise<void> {
      try {
        await db.writeTransaction(async (transaction) => {
          const book = await lockedBook(id, transaction);
          const stockEdited = form.inventory !== options.inventoryWas;
          if (stockEdited && book.inventory !== options.inventoryWas) {
            throw new ConflictError('stock_changed', `The stock changed while you were editing: it is now ${book.inventory}. Check the number and save again.`, {
              inventory: `Now ${book.inventory}.`,
            });
          }
          const author = await resolveAuthor(form.author, actor, transaction);
          const genre = await canonicalGenre(form.genre, transaction);
          const before = {
            title: book.title, AuthorId: book.AuthorId, genre: book.genre, pubYear: book.pubYear,
            price: (toCents(book.price) / 100).toFixed(2), inventory: book.inventory, bookDescription: book.bookDescription, coverType: book.coverType,
          };
          const coverType = options.cover ? options.cover.type : options.removeCover ? null : book.coverType;
          const after = {
            title: form.title, AuthorId: author.id, genre, pubYear: form.pubYear,
            price: form.price, inventory: stockEdited ? form.inventory : book.inventory, bookDescription: form.bookDescription, coverType,
          };
          book.set({ ...after, authorName: authorSearchName(author) });
          // A new cover must get a new URL (its ?v= is updatedAt) even when nothing else changed.
          if (options.cover || options.removeCover) book.changed('updatedAt', true);
          await book.save({ transaction });
          if (options.cover) await saveCover(book.id, options.cover, transaction);
          else if (options.removeCover) await BookCover.destroy({ where: { BookId: book.id }, transaction });
          const changes = describeChanges(before, after);
          if (options.cover) changes.cover = { from: before.coverType ?? 'generated', to: options.cover.type };
          if ('inventory' in changes) changes.inventory = { ...changes.inventory, reason: FORM_STOCK_REASON } as { from: unknown; to: unknown };
          await recordAudit(transaction, actor, {
            action: 'book.update',
            entityType: 'book',
            entityId: book.id,
            summary: `Edited “${form.title}”: ${Object.keys(changes).join(', ') || 'no changes'}`,
            details: changes,
          });
        });
      } catch (error) {
        return translateRaceErrors(error);
      }
    },

    /**
     * Removes a book from the store. One that past orders point at is hidden, so those orders still
     * show it; one nobody ever ordered is deleted. Either way it leaves every open cart.
     */
    async remove(actor: Actor, id: number): Promise<'hidden' | 'deleted'> {
      return db.writeTransaction(async (transaction) => {
        // Carts before the book: the order adding to a cart and checking out lock in, so no deadlock.
        const carts = await lockOpenCartsWith(id, transaction);
        const book = await lockedBook(id, transaction);
        // A cart that took the book after we looked is locked now, behind the book (its add has committed).
        const late = (await lockOpenCartsWith(id, transaction)).filter((c) => !carts.some((k) => k.id === c.id));
        const ordered = await Cartbook.count({
          where: { BookId: id },
          include: [{ model: Cart, where: { status: 'ordered' }, required: true }],
          transaction,
        });
        const fromCarts = await removeFromCarts(id, [...carts, ...late], transaction);
        const outcome = ordered > 0 ? 'hidden' : 'deleted';
        if (outcome === 'hidden') await book.update({ removedAt: new Date() }, { transaction });
        else await book.destroy({ transaction });
        await recordAudit(transaction, actor, {
          action: outcome === 'hidden' ? 'book.hide' : 'book.delete',
          entityType: 'book',
          entityId: id,
          summary: outcome === 'hidden'
            ? `Removed “${book.title}” from the store (kept for ${ordered} past order ${ordered === 1 ? 'line' : 'lines'})`
            : `Deleted “${book.title}”`,
          details: { title: book.title, pastOrderLines: ordered, removedFromOpenCarts: fromCarts },
        });
        return outcome;
      });
    },

    async restore(actor: Actor, id: number): Promise<void> {
      await db.writeTransaction(async (transaction) => {
        const book = await lockedBook(id, transaction);
        if (book.removedAt === null) return;
        await book.update({ removedAt: null }, { transaction });
        await recordAudit(transaction, actor, { action: 'book.restore', entityType: 'book', entityId: id, summary: `Put “${book.title}” back in the store` });
      });
    },

    /** Adds or takes away copies, with the reason in the audit log; never below zero. Returns the new stock. */
    async adjustStock(actor: Actor, id: number, change: number, reason: string): Promise<number> {
      return db.writeTransaction(async (transaction) => {
        const book = await lockedBook(id, transaction);
        const was = book.inventory;
        const next = was + change;
        if (next < 0) {
          throw new ConflictError('negative_stock', `There ${was === 1 ? 'is' : 'are'} only ${was} in stock, so you cannot take away ${-change}.`, {
            change: `At most -${was}.`,
          });
        }
        // `silent` keeps updatedAt, which versions the cover URL, as it is: stock is not part of the cover.
        await book.update({ inventory: next }, { transaction, silent: true });
        await recordAudit(transaction, actor, {
          action: 'book.stock',
          entityType: 'book',
          entityId: id,
          summary: `Stock of “${book.title}” ${change > 0 ? '+' : ''}${change} (${was} → ${next}): ${reason}`,
          details: { from: was, to: next, change, reason },
        });
        return next;
      });
    },
  };
}

export type AdminBookService = ReturnType<typeof createAdminBookService>;
