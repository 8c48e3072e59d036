import type { Transaction } from 'sequelize';
import type { Database } from '../db/connection';
import { Author, Book, Cart, Cartbook } from '../models';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors';
import { centsToDecimal, toCents } from '../lib/money';
import { bookUrl } from './catalog';

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

/** The visitor's open cart (locked for update inside a transaction), or null. */
export async function openCart(ownerKey: string, transaction?: Transaction): Promise<Cart | null> {
  return Cart.findOne({
    where: { ownerKey, status: 'open' },
    order: [['id', 'DESC']],
    transaction,
    lock: transaction?.LOCK.UPDATE,
  });
}

function stockMessage(title: string, inventory: number): string {
  if (inventory <= 0) return `Sorry, “${title}” is out of stock.`;
  return `Sorry, only ${inventory} ${inventory === 1 ? 'copy' : 'copies'} of “${title}” ${inventory === 1 ? 'is' : 'are'} in stock.`;
}

function checkQuantity(book: Book, quantity: number): void {
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

/** Keeps the cart's stored totals equal to its lines at today's prices, as the cart page shows them. */
export async function refreshTotals(cart: Cart, transaction: Transaction): Promise<number> {
  const lines = await Cartbook.findAll({
    where: { CartId: cart.id },
    attributes: ['quantity'],
    include: [{ model: Book, attributes: ['price'] }],
    transaction,
  });
  const quantity = lines.reduce((sum, l) => sum + l.quantity, 0);
  const cents = lines.reduce((sum, l) => sum + l.quantity * toCents(l.Book!.price), 0);
  await cart.update({ totalQuantity: quantity, totalPrice: centsToDecimal(cents) }, { transaction });
  return quantity;
}

async function lockedBook(bookId: number, transaction: Transaction): Promise<Book> {
  const book = await Book.findByPk(bookId, { transaction, lock: transaction.LOCK.UPDATE });
  if (!book || book.removedAt) throw new NotFoundError('We could not find that book. It may have been removed from the store.');
  return book;
}

/** The number shown in the header badge. */
async function cartCount(ownerKey: string | undefined): Promise<number> {
  if (!ownerKey) return 0;
  const cart = await Cart.findOne({ where: { ownerKey, status: 'open' }, attributes: ['totalQuantity'], order: [['id', 'DESC']] });
  return cart?.totalQuantity ?? 0;
}

/** The visitor's open cart priced at today's prices, with any line that stock no longer covers flagged. */
async function getCart(ownerKey: string | undefined): Promise<CartView> {
  if (!ownerKey) return EMPTY_CART;
  const cart = await openCart(ownerKey);
  if (!cart) return EMPTY_CART;
  const rows = await Cartbook.findAll({
    where: { CartId: cart.id },
    include: [{ model: Book, include: [{ model: Author, attributes: ['firstName', 'lastName'] }] }],
    order: [['id', 'ASC']],
  });
  const lines = rows.map((row): CartLine => {
    const book = row.Book!;
    const unitPriceCents = toCents(book.price);
    return {
      bookId: book.id,
      title: book.title,
      url: bookUrl(book.id, book.title),
      authorName: book.Author?.fullName ?? '',
      unitPriceCents,
      quantity: row.quantity,
      lineTotalCents: unitPriceCents * row.quantity,
      inventory: book.inventory,
      maxQuantity: Math.max(1, Math.min(book.inventory, MAX_LINE_QUANTITY)),
      exceedsStock: row.quantity > book.inventory,
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
  return {
    cartCount,
    getCart,

    /** Adds copies of a book (creating the cart on the first add); returns the new item count. */
    async addItem(ownerKey: string, bookId: number, quantity: number): Promise<{ itemCount: number; title: string; cartCreated: boolean }> {
      return db.writeTransaction(async (transaction) => {
        // Cart before book: the lock order checkout uses too, so the two cannot deadlock.
        const existing = await openCart(ownerKey, transaction);
        const cart = existing ?? (await Cart.create({ ownerKey }, { transaction }));
        const book = await lockedBook(bookId, transaction);
        const line = await Cartbook.findOne({ where: { CartId: cart.id, BookId: book.id }, transaction });
        if (!line && existing && (await Cartbook.count({ where: { CartId: cart.id }, transaction })) >= MAX_CART_LINES) {
          throw new ConflictError('cart_full', cartFullMessage);
        }
        const wanted = (line?.quantity ?? 0) + quantity;
        checkQuantity(book, wanted);
        if (line) await line.update({ quantity: wanted, unitPrice: book.price }, { transaction });
        else await Cartbook.create({ CartId: cart.id, BookId: book.id, quantity, unitPrice: book.price }, { transaction });
        return { itemCount: await refreshTotals(cart, transaction), title: book.title, cartCreated: !existing };
      });
    },

    /** Sets one line's quantity; the book must already be in the cart. Returns the new item count. */
    async setQuantity(ownerKey: string | undefined, bookId: number, quantity: number): Promise<number> {
      return db.writeTransaction(async (transaction) => {
        const cart = ownerKey ? await openCart(ownerKey, transaction) : null;
        const line = cart && (await Cartbook.findOne({ where: { CartId: cart.id, BookId: bookId }, transaction }));
        if (!cart || !line) throw new NotFoundError('That book is not in your cart.');
        const book = await lockedBook(bookId, transaction);
        checkQuantity(book, quantity);
        await line.update({ quantity, unitPrice: book.price }, { transaction });
        return refreshTotals(cart, transaction);
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
      return db.writeTransaction(async (transaction) => {
        const cart = ownerKey ? await openCart(ownerKey, transaction) : null;
        const removed = cart ? await Cartbook.destroy({ where: { CartId: cart.id, BookId: bookId }, transaction }) : 0;
        if (!cart || removed === 0) throw new NotFoundError('That book is not in your cart.');
        return refreshTotals(cart, transaction);
      });
    },
  };
}

export type CartService = ReturnType<typeof createCartService>;
