import { QueryTypes, literal, type Transaction } from 'sequelize';
import type { Database } from '../db/connection';
import type { OrderStatus } from '../models/checkout';
import { centsToDecimal } from '../lib/money';
import type { Sql } from '../db/sql';

/**
 * Sales rollups: per UTC day and status in DailySales, per book in Books.copiesSold/salesRevenue.
 * They are changed in the same transaction as the order they count, so they are never out of step;
 * the dashboard and the admin order list read them instead of adding up every order.
 */

/** The UTC day an order counts on, as DailySales keys it. */
export const salesDay = (placedAt: Date) => placedAt.toISOString().slice(0, 10);

/** Adds (or, with negative numbers, takes away) orders and revenue on one day and status. */
export async function addDailySales(
  db: Pick<Database, 'sql'>,
  transaction: Transaction,
  change: { day: string; status: OrderStatus; orders: number; revenueCents: number },
): Promise<void> {
  await addDailySalesSql(db.sql(transaction), change);
}

/** addDailySales on a plain-SQL runner (checkout's transaction). */
export async function addDailySalesSql(
  sql: Sql,
  change: { day: string; status: OrderStatus; orders: number; revenueCents: number },
): Promise<void> {
  const upsert = sql.dialect === 'sqlite'
    ? 'ON CONFLICT(day, status) DO UPDATE SET orders = orders + excluded.orders, revenue = revenue + excluded.revenue'
    : 'ON DUPLICATE KEY UPDATE orders = orders + VALUES(orders), revenue = revenue + VALUES(revenue)';
  await sql.run(
    `INSERT INTO DailySales (day, status, orders, revenue) VALUES (?, ?, ?, ?) ${upsert}`,
    [change.day, change.status, change.orders, centsToDecimal(change.revenueCents)],
  );
}

/** Moves one order's count and money from one status to another on its day. */
export async function moveDailySales(
  db: Pick<Database, 'sql'>,
  transaction: Transaction,
  order: { placedAt: Date; from: OrderStatus; to: OrderStatus; revenueCents: number },
): Promise<void> {
  const day = salesDay(order.placedAt);
  await addDailySales(db, transaction, { day, status: order.from, orders: -1, revenueCents: -order.revenueCents });
  await addDailySales(db, transaction, { day, status: order.to, orders: 1, revenueCents: order.revenueCents });
}

/**
 * Changes one book's sold counters by `copies` at `unitPriceCents` each (negative for a
 * cancellation), together with its stock change, in one guarded UPDATE.
 */
export function soldCounterChange(copies: number, unitPriceCents: number) {
  const revenue = centsToDecimal(Math.abs(copies) * unitPriceCents);
  const sign = copies >= 0 ? '+' : '-';
  return {
    copiesSold: literal(`copiesSold ${sign} ${Math.abs(Math.trunc(copies))}`) as unknown as number,
    salesRevenue: literal(`salesRevenue ${sign} ${revenue}`) as unknown as string,
  };
}

/**
 * Recomputes every rollup from the orders themselves: for the catalog generator, which writes
 * orders in bulk, and for an operator who changed orders by hand. Runs in one write transaction.
 */
export async function rebuildSalesRollups(db: Database): Promise<void> {
  const { sequelize } = db;
  const dayOf = db.dialect === 'sqlite' ? 'substr(createdAt, 1, 10)' : "DATE_FORMAT(createdAt, '%Y-%m-%d')";
  const sold = `SELECT cb.BookId AS BookId, SUM(cb.quantity) AS copies, SUM(cb.quantity * cb.unitPrice) AS revenue
    FROM Cartbooks cb INNER JOIN Checkouts o ON o.CartId = cb.CartId
    WHERE o.status <> 'cancelled' GROUP BY cb.BookId`;
  await db.writeTransaction(async (transaction) => {
    await sequelize.query('UPDATE Books SET copiesSold = 0, salesRevenue = 0 WHERE copiesSold <> 0 OR salesRevenue <> 0', { transaction });
    if (db.dialect === 'sqlite') {
      await sequelize.query(
        `UPDATE Books SET copiesSold = s.copies, salesRevenue = ROUND(s.revenue, 2) FROM (${sold}) AS s WHERE s.BookId = Books.id`,
        { transaction },
      );
    } else {
      await sequelize.query(
        `UPDATE Books b INNER JOIN (${sold}) s ON s.BookId = b.id SET b.copiesSold = s.copies, b.salesRevenue = s.revenue`,
        { transaction },
      );
    }
    await sequelize.query('DELETE FROM DailySales', { transaction });
    await sequelize.query(
      `INSERT INTO DailySales (day, status, orders, revenue)
       SELECT ${dayOf}, status, COUNT(*), ROUND(SUM(subTotal), 2) FROM Checkouts GROUP BY ${dayOf}, status`,
      { transaction, type: QueryTypes.INSERT },
    );
  });
}
