import type { Database } from '../db/connection';
import { forUpdate, parseSqlDate } from '../db/sql';
import { authorFullName } from '../models/author';
import { Author, Book, Cart, Cartbook, Checkout } from '../models';
import type { OrderStatus } from '../models/checkout';
import type { Page } from './catalog';
import { ConflictError, NotFoundError } from '../lib/errors';
import { centsToDecimal, toCents } from '../lib/money';
import { bookUrl } from './catalog';
import { lockOpenCart } from './cart';
import { bumpCatalog } from './catalog-cache';
import { pageSlice } from '../lib/pagination';
import { addDailySalesSql, salesDay } from './sales-rollups';

export interface ShippingDetails {
  fullName: string;
  email: string;
  addressLine1: string;
  addressLine2: string | null;
  city: string;
  state: string;
  zipCode: string;
}

export interface OrderLine {
  bookId: number;
  title: string;
  url: string;
  authorName: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface OrderView {
  id: number;
  number: string;
  placedAt: Date;
  status: OrderStatus;
  shipping: ShippingDetails;
  lines: OrderLine[];
  itemCount: number;
  subtotalCents: number;
}

export function orderNumber(id: number): string {
  return `EB-${String(id).padStart(6, '0')}`;
}

/** Who is asking to see an order: the session's visitor key and, when signed in, the account. */
export interface OrderViewer {
  ownerKey?: string;
  userId?: number;
}

export interface OrderSummary {
  id: number;
  number: string;
  placedAt: Date;
  status: OrderStatus;
  itemCount: number;
  subtotalCents: number;
  url: string;
}

interface OrderRow extends ShippingDetails {
  id: number;
  CartId: number;
  UserId: number | null;
  status: OrderStatus;
  subTotal: string | number;
  createdAt: unknown;
  ownerKey: string | null;
}

interface OrderLineRow {
  quantity: number;
  unitPrice: string | number;
  id: number;
  title: string;
  firstName: string | null;
  lastName: string | null;
}

export function createCheckoutService(db: Database) {
  /**
   * An order, if this viewer may see it: it was placed from their session (their visitor key) or by
   * their account. Anyone else gets the same 404 as an order that does not exist. Plain SQL, two
   * statements: every order placed is shown once right after (the 303 from checkout lands here).
   */
  async function getOrder(viewer: OrderViewer, id: number): Promise<OrderView> {
    const notFound = new NotFoundError('We could not find that order.');
    if (!viewer.ownerKey && !viewer.userId) throw notFound;
    const sql = db.sql();
    const order = await sql.one<OrderRow>(
      `SELECT o.id AS id, o.CartId AS CartId, o.UserId AS UserId, o.status AS status, o.fullName AS fullName,
        o.email AS email, o.addressLine1 AS addressLine1, o.addressLine2 AS addressLine2, o.city AS city,
        o.state AS state, o.zipCode AS zipCode, o.subTotal AS subTotal, o.createdAt AS createdAt, c.ownerKey AS ownerKey
      FROM Checkouts o LEFT JOIN Carts c ON c.id = o.CartId WHERE o.id = ?`,
      [id],
    );
    const mine = order && (
      (viewer.ownerKey !== undefined && order.ownerKey === viewer.ownerKey) ||
      (viewer.userId !== undefined && order.UserId === viewer.userId)
    );
    if (!order || !mine) throw notFound;
    const rows = await sql.all<OrderLineRow>(
      `SELECT cb.quantity AS quantity, cb.unitPrice AS unitPrice, b.id AS id, b.title AS title, a.firstName AS firstName, a.lastName AS lastName
      FROM Cartbooks cb INNER JOIN Books b ON b.id = cb.BookId LEFT JOIN Authors a ON a.id = b.AuthorId
      WHERE cb.CartId = ? ORDER BY cb.id ASC`,
      [order.CartId],
    );
    const lines = rows.map((row) => orderLine(row.id, row.title, authorFullName(row.firstName, row.lastName), row.quantity, row.unitPrice));
    return orderView({ ...order, createdAt: parseSqlDate(order.createdAt) }, lines);
  }

  return {
    getOrder,
    ordersOfAccount,

    /**
     * Places the visitor's open cart as an order, all or nothing: locks the books, checks every
     * line against stock, decrements it, freezes the lines at today's prices, closes the cart and
     * writes the Checkout. The visitor's next add starts a fresh cart.
     */
    async placeOrder(ownerKey: string, shipping: ShippingDetails, userId: number | null = null): Promise<number> {
      // Plain SQL (db/sql.ts), BEGIN and COMMIT included: a few statements per order instead of a
      // model pipeline per line.
      return db.sqlWriteTransaction(async (sql) => {
        const cartId = await lockOpenCart(sql, ownerKey);
        const lines = cartId === null
          ? []
          : await sql.all<{ BookId: number; quantity: number }>('SELECT BookId, quantity FROM Cartbooks WHERE CartId = ? ORDER BY BookId ASC', [cartId]);
        if (cartId === null || lines.length === 0) {
          throw new ConflictError('empty_cart', 'Your cart is empty, so there is nothing to check out yet.');
        }
        // Lock in id order so two checkouts sharing books cannot deadlock each other.
        const books = await sql.all<{ id: number; title: string; price: string | number; inventory: number }>(
          `SELECT id, title, price, inventory FROM Books WHERE id IN (${lines.map(() => '?').join(', ')}) ORDER BY id ASC${forUpdate(sql)}`,
          lines.map((l) => l.BookId),
        );
        const byId = new Map(books.map((b) => [b.id, b]));
        const short = lines
          .map((line) => ({ line, book: byId.get(line.BookId)! }))
          .filter(({ line, book }) => book.inventory < line.quantity);
        if (short.length > 0) {
          const detail = short
            .map(({ book }) => (book.inventory > 0 ? `“${book.title}” (only ${book.inventory} left)` : `“${book.title}” (sold out)`))
            .join(', ');
          throw new ConflictError(
            'out_of_stock',
            `Sorry, some books sold out while you were shopping: ${detail}. Please update your cart and try again.`,
          );
        }

        let subtotal = 0;
        let quantity = 0;
        let soldOut = false;
        for (const line of lines) {
          const book = byId.get(line.BookId)!;
          const lineCents = toCents(book.price) * line.quantity;
          // Relative, and guarded in WHERE: correct even if a lock were ever missed, and never negative.
          // updatedAt is left alone: it versions the cover URL, which a sale does not change.
          const { changes } = await sql.run(
            `UPDATE Books SET inventory = inventory - ?, copiesSold = copiesSold + ?, salesRevenue = salesRevenue + ?
            WHERE id = ? AND inventory >= ?`,
            [line.quantity, line.quantity, centsToDecimal(lineCents), book.id, line.quantity],
          );
          if (changes !== 1) throw new ConflictError('out_of_stock', `Sorry, “${book.title}” just sold out.`);
          subtotal += lineCents;
          quantity += line.quantity;
          if (book.inventory === line.quantity) soldOut = true;
        }
        const now = new Date();
        // Freeze every line at the price it is sold at: the prices just read under the books' locks.
        await sql.run(
          'UPDATE Cartbooks SET unitPrice = (SELECT b.price FROM Books b WHERE b.id = Cartbooks.BookId), updatedAt = ? WHERE CartId = ?',
          [now, cartId],
        );
        // A book sold out leaves the home page's featured (in-stock) books and changes how every
        // page shows it. A count that stays above zero needs no stamp: the book page shows the
        // current count from a slot (see services/page-cache.ts).
        if (soldOut) await bumpCatalog(sql);
        await sql.run(
          "UPDATE Carts SET status = 'ordered', totalQuantity = ?, totalPrice = ?, updatedAt = ? WHERE id = ?",
          [quantity, centsToDecimal(subtotal), now, cartId],
        );
        const order = await sql.run(
          `INSERT INTO Checkouts (CartId, fullName, email, addressLine1, addressLine2, city, state, zipCode, subTotal, UserId, status, createdAt, updatedAt)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'placed', ?, ?)`,
          [
            cartId, shipping.fullName, shipping.email, shipping.addressLine1, shipping.addressLine2, shipping.city,
            shipping.state, shipping.zipCode, centsToDecimal(subtotal), userId, now, now,
          ],
        );
        await addDailySalesSql(sql, { day: salesDay(now), status: 'placed', orders: 1, revenueCents: subtotal });
        return order.lastId;
      });
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;

/** A signed-in shopper's orders, newest first. */
async function ordersOfAccount(userId: number, options: { page: number; perPage: number }): Promise<Page<OrderSummary>> {
  const total = await Checkout.count({ where: { UserId: userId } });
  const { page, pageCount, offset } = pageSlice(total, options.page, options.perPage);
  const rows = await Checkout.findAll({
    where: { UserId: userId },
    attributes: ['id', 'createdAt', 'status', 'subTotal'],
    include: [{ model: Cart, attributes: ['totalQuantity'] }],
    order: [['createdAt', 'DESC'], ['id', 'DESC']],
    limit: options.perPage,
    offset,
  });
  const items = rows.map((order): OrderSummary => ({
    id: order.id,
    number: orderNumber(order.id),
    placedAt: order.createdAt,
    status: order.status,
    itemCount: order.Cart?.totalQuantity ?? 0,
    subtotalCents: toCents(order.subTotal),
    url: `/orders/${order.id}`,
  }));
  return { items, page, pageCount, total, perPage: options.perPage };
}

/** Every line and the address of an order, with no access check: for the admin pages. */
export async function orderDetail(order: Checkout): Promise<OrderView> {
  const rows = await Cartbook.findAll({
    where: { CartId: order.CartId },
    include: [{ model: Book, attributes: ['id', 'title', 'AuthorId'], include: [{ model: Author, attributes: ['firstName', 'lastName'] }] }],
    order: [['id', 'ASC']],
  });
  const lines = rows.map((row) => orderLine(row.Book!.id, row.Book!.title, row.Book!.Author?.fullName ?? '', row.quantity, row.unitPrice));
  return orderView(order, lines);
}

function orderLine(bookId: number, title: string, authorName: string, quantity: number, unitPrice: string | number): OrderLine {
  const unitPriceCents = toCents(unitPrice);
  return { bookId, title, url: bookUrl(bookId, title), authorName, quantity, unitPriceCents, lineTotalCents: unitPriceCents * quantity };
}

function orderView(
  order: ShippingDetails & { id: number; createdAt: Date; status: OrderStatus; subTotal: string | number },
  lines: OrderLine[],
): OrderView {
  return {
    id: order.id,
    number: orderNumber(order.id),
    placedAt: order.createdAt,
    status: order.status,
    shipping: {
      fullName: order.fullName,
      email: order.email,
      addressLine1: order.addressLine1,
      addressLine2: order.addressLine2,
      city: order.city,
      state: order.state,
      zipCode: order.zipCode,
    },
    lines,
    itemCount: lines.reduce((sum, l) => sum + l.quantity, 0),
    subtotalCents: toCents(order.subTotal),
  };
}
