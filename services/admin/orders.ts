import { Op, QueryTypes, literal, type Order, type WhereOptions } from 'sequelize';
import type { Database } from '../../db/connection';
import { Book, Cart, Cartbook, Checkout, User } from '../../models';
import { ORDER_STATUSES, type OrderStatus } from '../../models/checkout';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { toCents } from '../../lib/money';
import { listAudit, recordAudit, type Actor } from '../audit';
import type { Page } from '../catalog';
import { orderDetail, orderNumber, type OrderLine, type ShippingDetails } from '../checkout';
import { pageSlice } from '../../lib/pagination';
import { inIdOrder, pageIds } from '../page-ids';
import { moveDailySales, soldCounterChange } from '../sales-rollups';

/**
 * The only moves an order may make. Delivered and cancelled are final: a cancelled order's copies
 * are already back on the shelf, so "un-cancelling" it would sell them twice.
 */
export const NEXT_STATUSES: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  placed: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

/** A status written by hand into the database that we do not know goes nowhere rather than crashing the page. */
function nextStatuses(from: OrderStatus): readonly OrderStatus[] {
  return Object.hasOwn(NEXT_STATUSES, from) ? NEXT_STATUSES[from] : [];
}

/** Filters for the order list; dates are whole UTC days, both ends included. */
export interface OrderFilter {
  status?: OrderStatus;
  /** YYYY-MM-DD, already checked to be a real date. */
  from?: string;
  to?: string;
}

export interface AdminOrderRow {
  id: number;
  number: string;
  url: string;
  placedAt: Date;
  placedAtIso: string;
  customerName: string;
  customerEmail: string;
  /** The ordering account's email, or null for a guest order. */
  accountEmail: string | null;
  itemCount: number;
  totalCents: number;
  status: OrderStatus;
}

export interface AdminOrderLine extends OrderLine {
  editUrl: string;
}

export interface AdminOrderHistoryEntry {
  at: Date;
  atIso: string;
  actorEmail: string;
  summary: string;
}

export interface AdminOrderView {
  id: number;
  number: string;
  url: string;
  placedAt: Date;
  placedAtIso: string;
  status: OrderStatus;
  shipping: ShippingDetails;
  account: { id: number; name: string; email: string } | null;
  lines: AdminOrderLine[];
  itemCount: number;
  subtotalCents: number;
  nextStatuses: OrderStatus[];
  /** Copies a cancellation would put back on the shelf. */
  cancelReturns: number;
  history: AdminOrderHistoryEntry[];
}

export interface StatusChange {
  id: number;
  number: string;
  from: OrderStatus;
  to: OrderStatus;
  restocked: number;
}

const HISTORY_ENTRIES = 10;
const DAY_MS = 24 * 60 * 60 * 1000;
const LAST_DAY = '9999-12-31';

/** Midnight UTC at the start of a checked YYYY-MM-DD day. */
function startOfDay(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

function filterWhere(filter: OrderFilter): WhereOptions<Checkout> {
  const createdAt: Record<symbol, Date> = {};
  if (filter.from) createdAt[Op.gte] = startOfDay(filter.from);
  // "Up to the 21st" means before midnight starting the 22nd; the last representable day has no next one.
  if (filter.to && filter.to !== LAST_DAY) createdAt[Op.lt] = new Date(startOfDay(filter.to).getTime() + DAY_MS);
  return {
    ...(filter.status ? { status: filter.status } : {}),
    ...(Object.getOwnPropertySymbols(createdAt).length > 0 ? { createdAt } : {}),
  };
}

function toRow(order: Checkout): AdminOrderRow {
  return {
    id: order.id,
    number: orderNumber(order.id),
    url: `/admin/orders/${order.id}`,
    placedAt: order.createdAt,
    placedAtIso: order.createdAt.toISOString(),
    customerName: order.fullName,
    customerEmail: order.email,
    accountEmail: order.User?.email ?? null,
    itemCount: order.Cart?.totalQuantity ?? 0,
    totalCents: toCents(order.subTotal),
    status: order.status,
  };
}

export function createAdminOrderService(db: Database) {
  /** How many orders a filter matches, from DailySales: its days and statuses are the filter's own terms. */
  async function countOrders(filter: OrderFilter): Promise<number> {
    const conditions: string[] = [];
    if (filter.status) conditions.push('status = :status');
    if (filter.from) conditions.push('day >= :from');
    if (filter.to) conditions.push('day <= :to');
    const [row] = await db.sequelize.query<{ orders: number | string | null }>(
      `SELECT SUM(orders) AS orders FROM DailySales${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`,
      { type: QueryTypes.SELECT, replacements: { status: filter.status ?? null, from: filter.from ?? null, to: filter.to ?? null } },
    );
    return Number(row?.orders ?? 0);
  }

  return {
    /**
     * One page of orders, newest first. The count comes from the daily rollup (a filter is whole
     * days and a status, exactly its keys); the page's ids from the (createdAt) or (status,
     * createdAt) index, the far half read backwards; then only those orders with their cart and account.
     */
    async listOrders(filter: OrderFilter, options: { page: number; perPage: number }): Promise<Page<AdminOrderRow>> {
      const where = filterWhere(filter);
      const total = await countOrders(filter);
      const { page, pageCount, offset } = pageSlice(total, options.page, options.perPage);
      const ids = await pageIds(Checkout, { where, order: [['createdAt', 'DESC'], ['id', 'DESC']], total, offset, perPage: options.perPage });
      const found = ids.length === 0 ? [] : await Checkout.findAll({
        where: { id: ids },
        attributes: ['id', 'createdAt', 'status', 'fullName', 'email', 'subTotal', 'UserId', 'CartId'],
        include: [
          { model: Cart, attributes: ['id', 'totalQuantity'] },
          { model: User, attributes: ['id', 'email'] },
        ],
      });
      return { items: inIdOrder(ids, found).map(toRow), page, pageCount, total, perPage: options.perPage };
    },

    async getOrder(id: number): Promise<AdminOrderView> {
      const order = await Checkout.findByPk(id, { include: [{ model: User, attributes: ['id', 'name', 'email'] }] });
      if (!order) throw new NotFoundError('We could not find that order.');
      const [detail, history] = await Promise.all([
        orderDetail(order),
        listAudit({ page: 1, perPage: HISTORY_ENTRIES, entityType: 'order', entityId: order.id }),
      ]);
      return {
        id: detail.id,
        number: detail.number,
        url: `/admin/orders/${detail.id}`,
        placedAt: detail.placedAt,
        placedAtIso: detail.placedAt.toISOString(),
        status: detail.status,
        shipping: detail.shipping,
        account: order.User ? { id: order.User.id, name: order.User.name, email: order.User.email } : null,
        lines: detail.lines.map((line) => ({ ...line, editUrl: `/admin/books/${line.bookId}/edit` })),
        itemCount: detail.itemCount,
        subtotalCents: detail.subtotalCents,
        nextStatuses: [...nextStatuses(detail.status)],
        cancelReturns: detail.itemCount,
        history: history.items.map((entry) => ({
          at: entry.at,
          atIso: entry.at.toISOString(),
          actorEmail: entry.actorEmail,
          summary: entry.summary,
        })),
      };
    },

    /**
     * Moves an order along, with its audit entry, in one transaction. The order row is locked and its
     * status read again under the lock, so two admins cancelling at once return the stock once: the
     * second finds the order already cancelled and is refused.
     */
    async changeStatus(actor: Actor, id: number, to: OrderStatus): Promise<StatusChange> {
      return db.writeTransaction(async (transaction) => {
        const order = await Checkout.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
        if (!order) throw new NotFoundError('We could not find that order.');
        const number = orderNumber(order.id);
        const from: OrderStatus = order.status;
        const allowed = nextStatuses(from);
        if (!allowed.includes(to)) {
          const why = from === to
            ? `Order ${number} is already ${to}.`
            : allowed.length === 0
              ? `Order ${number} is ${from}, so its status can no longer change.`
              : `Order ${number} is ${from}, so it cannot be marked ${to}. It can be marked ${allowed.join(' or ')}.`;
          throw new ConflictError('status_transition', why);
        }

        let restocked = 0;
        const returned: Array<{ bookId: number; quantity: number }> = [];
        if (to === 'cancelled') {
          const lines = await Cartbook.findAll({
            where: { CartId: order.CartId },
            attributes: ['id', 'BookId', 'quantity', 'unitPrice'],
            order: [['BookId', 'ASC']],
            transaction,
          });
          // Same lock order as checkout (book id ascending), so a cancel and a sale cannot deadlock.
          await Book.findAll({
            where: { id: { [Op.in]: lines.map((l) => l.BookId) } },
            attributes: ['id'],
            order: [['id', 'ASC']],
            transaction,
            lock: transaction.LOCK.UPDATE,
          });
          for (const line of lines) {
            // Relative, so a sale committed since the order cannot be overwritten; `silent` keeps
            // updatedAt, which versions the cover URL, unchanged.
            await Book.update(
              {
                inventory: literal(`inventory + ${Number(line.quantity)}`) as unknown as number,
                ...soldCounterChange(-line.quantity, toCents(line.unitPrice)),
              },
              { where: { id: line.BookId }, transaction, silent: true },
            );
            returned.push({ bookId: line.BookId, quantity: line.quantity });
            restocked += line.quantity;
          }
        }

        await order.update({ status: to }, { transaction });
        await moveDailySales(db, transaction, { placedAt: order.createdAt, from, to, revenueCents: toCents(order.subTotal) });
        await recordAudit(transaction, actor, {
          action: 'order.status',
          entityType: 'order',
          entityId: order.id,
          summary: to === 'cancelled'
            ? `Cancelled order ${number} and returned ${restocked} ${restocked === 1 ? 'copy' : 'copies'} to stock`
            : `Marked order ${number} ${to} (was ${from})`,
          details: { from, to, ...(to === 'cancelled' ? { returned } : {}) },
        });
        return { id: order.id, number, from, to, restocked };
      });
    },
  };
}

export type AdminOrderService = ReturnType<typeof createAdminOrderService>;
