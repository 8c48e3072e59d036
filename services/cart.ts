import type { Transaction } from 'sequelize';
import type { Database } from '../db/connection';
import { forUpdate, sqlRunner, type Sql } from '../db/sql';
import { authorFullName } from '../models/author';
import { Book, Cart, Cartbook } from '../models';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors';
import { centsToDecimal, toCents } from '../lib/money';
import { bookUrl } from './catalog';
import { batchedLookup, inList } from '../lib/batched-lookup';

export const MAX_LINE_QUANTITY = 99;
/** Different books one cart may hold: keeps every cart page, checkout and its row locks small. */
export const MAX_CART_LINES = 50;

const cartFullMessage = `Your cart already holds ${MAX_CART_LINES} different books, the most one order can take. Check out or remove a book first.`;

export interface CartLine {
  bookId: number;
  title: string;
  url: string;
  authorName: string;
  unitPriceCents: number;
  quantity: number;
  lineTotalCents: number;
  inventory: number;
  /** How many this line may hold right now: the stock, and never more than 99. */
  maxQuantity: number;
  /** True when stock fell below the quantity after it was added (the shopper must lower it). */
  exceedsStock: boolean;
}

export interface CartView {
  lines: CartLine[];
  itemCount: number;
  subtotalCents: number;
  hasStockProblem: boolean;
}

const EMPTY_CART: CartView = { lines: [], itemCount: 0, subtotalCents: 0, hasStockProblem: false };

/*
 * The hot statements (every add, cart page and badge) are plain SQL through db.sql(): Sequelize's
 * pipeline and model building cost several times the statements themselves (see db/sql.ts).
 * mergeCarts, run once per sign-in, stays on the models.
 */

/** The newest open cart of a visitor: one row from the carts_owner_status index (which ends in the id). */
const OPEN_CART = "SELECT id FROM Carts WHERE ownerKey = ? AND status = 'open' ORDER BY id DESC LIMIT 1";

/** The visitor's open cart (locked for update inside a transaction), or null. */
async function openCart(ownerKey: string, transaction?: Transaction): Promise<Cart | null> {
  return Cart.findOne({
    where: { ownerKey, status: 'open' },
    order: [['id', 'DESC']],
    transaction,
    lock: transaction?.LOCK.UPDATE,
  });
}

/** The id of the visitor's open cart, row-locked on MySQL (cart before book: checkout's lock order too). */
export async function lockOpenCart(sql: Sql, ownerKey: string): Promise<number | null> {
  const row = await sql.one<{ id: number }>(OPEN_CART + forUpdate(sql), [ownerKey]);
  return row ? row.id : null;
}

interface BookRow {
  id: number;
  title: string;
  price: string | number;
  inventory: number;
  removedAt: unknown;
}

interface LineRow {
  BookId: number;
  quantity: number;
  /** Today's price of the book. */
  price: string | number;
}

function stockMessage(title: string, inventory: number): string {
  if (inventory <= 0) return `Sorry, “${title}” is out of stock.`;
  return `Sorry, only ${inventory} ${inventory === 1 ? 'copy' : 'copies'} of “${title}” ${inventory === 1 ? 'is' : 'are'} in stock.`;
}

function checkQuantity(book: BookRow, quantity: number): void {
  if (quantity > MAX_LINE_QUANTITY) {
    throw new ValidationError(`You can order at most ${MAX_LINE_QUANTITY} copies of one book.`, {
      quantity: `At most ${MAX_LINE_QUANTITY}.`,
    });
  }
  if (quantity > book.inventory) {
    throw new ConflictError('out_of_stock', stockMessage(book.title, book.inventory), {
      quantity: book.inventory > 0 ? `Only ${book.inventory} in stock.` : 'Out of stock.',
    });
  }
}

async function lockedBook(sql: Sql, bookId: number): Promise<BookRow> {
  const book = await sql.one<BookRow>(`SELECT id, title, price, inventory, removedAt FROM Books WHERE id = ?${forUpdate(sql)}`, [bookId]);
  if (!book || book.removedAt) throw new NotFoundError('We could not find that book. It may have been removed from the store.');
  return book;
}

/** A cart's lines with today's prices (at most MAX_CART_LINES rows, from the cart's unique index). */
function cartLines(sql: Sql, cartId: number): Promise<LineRow[]> {
  return sql.all<LineRow>(
    'SELECT cb.BookId AS BookId, cb.quantity AS quantity, b.price AS price FROM Cartbooks cb INNER JOIN Books b ON b.id = cb.BookId WHERE cb.CartId = ?',
    [cartId],
  );
}

/**
 * Stores the cart's totals as the cart page shows them: its lines at today's prices. `lines` is
 * what the cart holds after the change, read in this transaction; returns the item count.
 */
async function writeTotals(sql: Sql, cartId: number, lines: readonly LineRow[], now: Date): Promise<number> {
  let quantity = 0;
  let cents = 0;
  for (const line of lines) {
    quantity += line.quantity;
    cents += line.quantity * toCents(line.price);
  }
  await sql.run('UPDATE Carts SET totalQuantity = ?, totalPrice = ?, updatedAt = ? WHERE id = ?', [quantity, centsToDecimal(cents), now, cartId]);
  return quantity;
}

/** Keeps the cart's stored totals equal to its lines at today's prices (for changes made elsewhere, e.g. a book removed by an admin). */
export async function refreshTotals(cart: Pick<Cart, 'id'>, transaction: Transaction): Promise<number> {
  const sql = sqlRunner(Cart.sequelize!, transaction);
  return writeTotals(sql, cart.id, await cartLines(sql, cart.id), new Date());
}

/** `lines` with the book's line set to `quantity` at `book`'s (locked, so current) price, added when missing. */
function withLine(lines: readonly LineRow[], book: BookRow, quantity: number): LineRow[] {
  const changed: LineRow = { BookId: book.id, quantity, price: book.price };
  const others = lines.filter((l) => l.BookId !== book.id);
  return [...others, changed];
}

interface CartPageRow {
  id: number;
  title: string;
  price: string | number;
  inventory: number;
  firstName: string | null;
  lastName: string | null;
  quantity: number;
}

/** The cart page's view of its lines' rows (in the order they were added). */
function cartView(rows: readonly CartPageRow[]): CartView {
  if (rows.length === 0) return EMPTY_CART;
  const lines = rows.map((row): CartLine => {
    const unitPriceCents = toCents(row.price);
    return {
      bookId: row.id,
      title: row.title,
      url: bookUrl(row.id, row.title),
      authorName: authorFullName(row.firstName, row.lastName),
      unitPriceCents,
      quantity: row.quantity,
      lineTotalCents: unitPriceCents * row.quantity,
      inventory: row.inventory,
      maxQuantity: Math.max(1, Math.min(row.inventory, MAX_LINE_QUANTITY)),
      exceedsStock: row.quantity > row.inventory,
    };
  });
  return {
    lines,
    itemCount: lines.reduce((sum, l) => sum + l.quantity, 0),
    subtotalCents: lines.reduce((sum, l) => sum + l.lineTotalCents, 0),
    hasStockProblem: lines.some((l) => l.exceedsStock),
  };
}

export function createCartService(db: Database) {
  /**
   * The badge counts of many owners' newest open carts, for the requests that arrive together: one
   * `IN (…)` read of their open carts (on the owner-and-status index) instead of one read each, and
   * never joined once under way (lib/batched-lookup.ts), so a count reflects every change committed
   * before its request asked. Owner keys are the app's own random keys, matched exactly.
   */
  const newestOpenCount = batchedLookup(async (ownerKeys: string[]) => {
    const { keys, placeholders } = inList(ownerKeys);
    const rows = await db.sql().all<{ id: number; ownerKey: string; totalQuantity: number | string }>(
      `SELECT id, ownerKey, totalQuantity FROM Carts WHERE ownerKey IN (${placeholders}) AND status = 'open'`,
      keys,
    );
    const newest = new Map<string, { id: number; count: number }>();
    for (const row of rows) {
      const id = Number(row.id);
      const seen = newest.get(row.ownerKey);
      if (!seen || id > seen.id) newest.set(row.ownerKey, { id, count: Number(row.totalQuantity) });
    }
    return new Map([...newest].map(([key, cart]) => [key, cart.count]));
  });

  /** The number shown in the header badge: the owner's newest open cart's, 0 without one. */
  async function cartCount(ownerKey: string | undefined): Promise<number> {
    if (!ownerKey) return 0;
    return (await newestOpenCount(ownerKey)) ?? 0;
  }

  /** The visitor's open cart priced at today's prices, with any line that stock no longer covers flagged. */
  async function getCart(ownerKey: string | undefined): Promise<CartView> {
    if (!ownerKey) return EMPTY_CART;
    // One statement: the newest open cart's id from its index (MAX reads one index entry), then its
    // lines with their books and authors, in the order they were added.
    const rows = await db.sql().all<CartPageRow>(
      `SELECT b.id AS id, b.title AS title, b.price AS price, b.inventory AS inventory,
        a.firstName AS firstName, a.lastName AS lastName, cb.quantity AS quantity
      FROM Cartbooks cb INNER JOIN Books b ON b.id = cb.BookId LEFT JOIN Authors a ON a.id = b.AuthorId
      WHERE cb.CartId = (SELECT MAX(id) FROM Carts WHERE ownerKey = ? AND status = 'open')
      ORDER BY cb.id ASC`,
      [ownerKey],
    );
    return cartView(rows);
  }

  return {
    cartCount,
    getCart,

    /** Adds copies of a book (creating the cart on the first add); returns the new item count. */
    async addItem(ownerKey: string, bookId: number, quantity: number): Promise<{ itemCount: number; title: string; cartCreated: boolean }> {
      return db.sqlWriteTransaction(async (sql) => {
        // Cart before book: the lock order checkout uses too, so the two cannot deadlock.
        const cartId = await lockOpenCart(sql, ownerKey);
        const book = await lockedBook(sql, bookId);
        const lines = cartId === null ? [] : await cartLines(sql, cartId);
        const line = lines.find((l) => l.BookId === book.id);
        if (!line && lines.length >= MAX_CART_LINES) throw new ConflictError('cart_full', cartFullMessage);
        const wanted = (line?.quantity ?? 0) + quantity;
        checkQuantity(book, wanted);
        const now = new Date();
        if (cartId === null) {
          // A new cart holds just this line, so its totals are known before it is written.
          const cents = wanted * toCents(book.price);
          const cart = await sql.run(
            "INSERT INTO Carts (ownerKey, status, totalQuantity, totalPrice, createdAt, updatedAt) VALUES (?, 'open', ?, ?, ?, ?)",
            [ownerKey, wanted, centsToDecimal(cents), now, now],
          );
          await sql.run(
            'INSERT INTO Cartbooks (CartId, BookId, quantity, unitPrice, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)',
            [cart.lastId, book.id, wanted, book.price, now, now],
          );
          return { itemCount: wanted, title: book.title, cartCreated: true };
        }
        if (line) {
          await sql.run('UPDATE Cartbooks SET quantity = ?, unitPrice = ?, updatedAt = ? WHERE CartId = ? AND BookId = ?', [wanted, book.price, now, cartId, book.id]);
        } else {
          await sql.run(
            'INSERT INTO Cartbooks (CartId, BookId, quantity, unitPrice, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)',
            [cartId, book.id, wanted, book.price, now, now],
          );
        }
        const itemCount = await writeTotals(sql, cartId, withLine(lines, book, wanted), now);
        return { itemCount, title: book.title, cartCreated: false };
      });
    },

    /** Sets one line's quantity; the book must already be in the cart. Returns the new item count. */
    async setQuantity(ownerKey: string | undefined, bookId: number, quantity: number): Promise<number> {
      return db.sqlWriteTransaction(async (sql) => {
        const cartId = ownerKey ? await lockOpenCart(sql, ownerKey) : null;
        const lines = cartId === null ? [] : await cartLines(sql, cartId);
        if (cartId === null || !lines.some((l) => l.BookId === bookId)) throw new NotFoundError('That book is not in your cart.');
        const book = await lockedBook(sql, bookId);
        checkQuantity(book, quantity);
        const now = new Date();
        await sql.run('UPDATE Cartbooks SET quantity = ?, unitPrice = ?, updatedAt = ? WHERE CartId = ? AND BookId = ?', [quantity, book.price, now, cartId, book.id]);
        return writeTotals(sql, cartId, withLine(lines, book, quantity), now);
      });
    },

    /**
     * Moves a guest's open cart into an account's at sign-in. Quantities of a book in both add up,
     * held to the stock and the per-line maximum; returns the titles that had to be held back.
     */
    async mergeCarts(fromKey: string | undefined, toKey: string): Promise<{ itemCount: number; limited: string[] }> {
      return db.writeTransaction(async (transaction) => {
        const target = await openCart(toKey, transaction);
        const source = fromKey && fromKey !== toKey ? await openCart(fromKey, transaction) : null;
        if (!source) return { itemCount: target?.totalQuantity ?? 0, limited: [] };
        if (!target) {
          await source.update({ ownerKey: toKey }, { transaction });
          return { itemCount: source.totalQuantity, limited: [] };
        }
        const incoming = await Cartbook.findAll({ where: { CartId: source.id }, order: [['BookId', 'ASC']], transaction });
        const limited: string[] = [];
        let lineCount = await Cartbook.count({ where: { CartId: target.id }, transaction });
        for (const line of incoming) {
          const book = await Book.findByPk(line.BookId, { transaction, lock: transaction.LOCK.UPDATE });
          if (!book || book.removedAt) continue;
          const existing = await Cartbook.findOne({ where: { CartId: target.id, BookId: book.id }, transaction });
          // A full cart takes more copies of its books, but no new ones: those are held back like short stock.
          if (!existing && lineCount >= MAX_CART_LINES) {
            limited.push(book.title);
            continue;
          }
          const wanted = (existing?.quantity ?? 0) + line.quantity;
          const allowed = Math.min(wanted, MAX_LINE_QUANTITY, Math.max(book.inventory, existing?.quantity ?? 0));
          if (allowed < wanted) limited.push(book.title);
          if (existing) await existing.update({ quantity: allowed, unitPrice: book.price }, { transaction });
          else if (allowed > 0) {
            await Cartbook.create({ CartId: target.id, BookId: book.id, quantity: allowed, unitPrice: book.price }, { transaction });
            lineCount += 1;
          }
        }
        await source.destroy({ transaction });
        return { itemCount: await refreshTotals(target, transaction), limited };
      });
    },

    /** Removes one line; returns the new item count. */
    async removeItem(ownerKey: string | undefined, bookId: number): Promise<number> {
      return db.sqlWriteTransaction(async (sql) => {
        const cartId = ownerKey ? await lockOpenCart(sql, ownerKey) : null;
        const removed = cartId === null ? 0 : (await sql.run('DELETE FROM Cartbooks WHERE CartId = ? AND BookId = ?', [cartId, bookId])).changes;
        if (cartId === null || removed === 0) throw new NotFoundError('That book is not in your cart.');
        return writeTotals(sql, cartId, await cartLines(sql, cartId), new Date());
      });
    },
  };
}

export type CartService = ReturnType<typeof createCartService>;
