import { Op, QueryTypes } from 'sequelize';
import type { Database } from '../../db/connection';
import { Author, Book } from '../../models';
import { toCents } from '../../lib/money';

export interface PeriodTotals {
  orders: number;
  revenueCents: number;
}

export interface DayRevenue {
  /** The UTC day, YYYY-MM-DD (not `date`, which views would read as the date helper). */
  isoDate: string;
  /** The day as people read it: "Nov 3". */
  label: string;
  orders: number;
  revenueCents: number;
}

export interface BestSeller {
  bookId: number;
  title: string;
  authorName: string;
  copies: number;
  revenueCents: number;
  removed: boolean;
  editUrl: string;
}

export interface LowStockBook {
  id: number;
  title: string;
  authorName: string;
  inventory: number;
  editUrl: string;
}

export interface DashboardOverview {
  /** Today's UTC date, YYYY-MM-DD: the day "today" and the chart end on. */
  today: string;
  totals: { today: PeriodTotals; lastSevenDays: PeriodTotals; allTime: PeriodTotals };
  /** One entry per day, oldest first, days without orders included as zero. */
  revenueByDay: DayRevenue[];
  bestSellers: BestSeller[];
  lowStock: LowStockBook[];
}

export const CHART_DAYS = 30;
export const WEEK_DAYS = 7;
export const BEST_SELLERS = 5;
export const LOW_STOCK_AT = 5;
export const LOW_STOCK_LIMIT = 10;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Cancelled orders brought no money in, so they count in no figure on the dashboard. */
const CANCELLED = 'cancelled';

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const dayLabel = (date: Date) => date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** SUM over no rows is NULL; MySQL sends DECIMAL sums as text and SQLite as a float: toCents reads both. */
const cents = (value: string | number | null) => (value === null ? 0 : toCents(value));
/** COUNT and SUM(CASE …) arrive as numbers or, from MySQL, as DECIMAL text. */
const count = (value: string | number | null) => (value === null ? 0 : Number(value));

export function createAdminDashboardService(db: Database) {
  const { sequelize } = db;
  /**
   * The UTC day of an order. SQLite keeps DATETIME as text that begins 'YYYY-MM-DD' in UTC (the
   * connection's time zone); MySQL stores UTC too, and DATE() reads the day out of it.
   */
  const dayOf = db.dialect === 'sqlite' ? 'substr(createdAt, 1, 10)' : 'DATE(createdAt)';

  /** Orders and revenue today, over the last seven days (today included) and ever, in one pass. */
  async function totals(today: Date, weekStart: Date): Promise<DashboardOverview['totals']> {
    const [row] = await sequelize.query<Record<string, string | number | null>>(
      `SELECT COUNT(*) AS allOrders, SUM(subTotal) AS allRevenue,
         SUM(CASE WHEN createdAt >= :weekStart THEN 1 ELSE 0 END) AS weekOrders,
         SUM(CASE WHEN createdAt >= :weekStart THEN subTotal ELSE 0 END) AS weekRevenue,
         SUM(CASE WHEN createdAt >= :today THEN 1 ELSE 0 END) AS todayOrders,
         SUM(CASE WHEN createdAt >= :today THEN subTotal ELSE 0 END) AS todayRevenue
       FROM Checkouts WHERE status <> :cancelled`,
      { type: QueryTypes.SELECT, replacements: { today, weekStart, cancelled: CANCELLED } },
    );
    return {
      today: { orders: count(row.todayOrders), revenueCents: cents(row.todayRevenue) },
      lastSevenDays: { orders: count(row.weekOrders), revenueCents: cents(row.weekRevenue) },
      allTime: { orders: count(row.allOrders), revenueCents: cents(row.allRevenue) },
    };
  }

  /** At most CHART_DAYS rows from the database; the days without orders are filled in here. */
  async function revenueByDay(firstDay: Date): Promise<DayRevenue[]> {
    const rows = await sequelize.query<{ day: string; orders: string | number; revenue: string | number | null }>(
      `SELECT ${dayOf} AS day, COUNT(*) AS orders, SUM(subTotal) AS revenue
       FROM Checkouts WHERE status <> :cancelled AND createdAt >= :firstDay
       GROUP BY ${dayOf}`,
      { type: QueryTypes.SELECT, replacements: { firstDay, cancelled: CANCELLED } },
    );
    const byDay = new Map(rows.map((r) => [String(r.day).slice(0, 10), r]));
    return Array.from({ length: CHART_DAYS }, (_, i) => {
      const date = new Date(firstDay.getTime() + i * DAY_MS);
      const row = byDay.get(isoDay(date));
      return {
        isoDate: isoDay(date),
        label: dayLabel(date),
        orders: row ? count(row.orders) : 0,
        revenueCents: row ? cents(row.revenue) : 0,
      };
    });
  }

  /**
   * Copies sold per book over every order that was not cancelled, at the prices frozen on each
   * order's lines. Removed books still count: they sold.
   */
  async function bestSellers(): Promise<BestSeller[]> {
    const rows = await sequelize.query<{ bookId: number; copies: string | number; revenue: string | number | null }>(
      `SELECT cb.BookId AS bookId, SUM(cb.quantity) AS copies, SUM(cb.quantity * cb.unitPrice) AS revenue
       FROM Cartbooks cb INNER JOIN Checkouts o ON o.CartId = cb.CartId
       WHERE o.status <> :cancelled
       GROUP BY cb.BookId
       ORDER BY copies DESC, revenue DESC, cb.BookId ASC
       LIMIT :limit`,
      { type: QueryTypes.SELECT, replacements: { cancelled: CANCELLED, limit: BEST_SELLERS } },
    );
    if (rows.length === 0) return [];
    const books = await Book.findAll({
      where: { id: { [Op.in]: rows.map((r) => Number(r.bookId)) } },
      attributes: ['id', 'title', 'removedAt', 'AuthorId'],
      include: [{ model: Author, attributes: ['firstName', 'lastName'] }],
    });
    const byId = new Map(books.map((b) => [b.id, b]));
    return rows.map((row): BestSeller => {
      const id = Number(row.bookId);
      const book = byId.get(id);
      return {
        bookId: id,
        title: book?.title ?? `Book #${id}`,
        authorName: book?.Author?.fullName ?? '',
        copies: count(row.copies),
        revenueCents: cents(row.revenue),
        removed: Boolean(book?.removedAt),
        editUrl: `/admin/books/${id}/edit`,
      };
    });
  }

  /** Books still on sale that are nearly gone, the emptiest first (the inventory index serves it). */
  async function lowStock(): Promise<LowStockBook[]> {
    const books = await Book.findAll({
      where: { removedAt: null, inventory: { [Op.lte]: LOW_STOCK_AT } },
      attributes: ['id', 'title', 'inventory', 'AuthorId'],
      include: [{ model: Author, attributes: ['firstName', 'lastName'] }],
      order: [['inventory', 'ASC'], ['title', 'ASC'], ['id', 'ASC']],
      limit: LOW_STOCK_LIMIT,
    });
    return books.map((book) => ({
      id: book.id,
      title: book.title,
      authorName: book.Author?.fullName ?? '',
      inventory: book.inventory,
      editUrl: `/admin/books/${book.id}/edit`,
    }));
  }

  return {
    /** Everything the dashboard home shows, as of `now`: every day boundary is midnight UTC. */
    async overview(now: Date = new Date()): Promise<DashboardOverview> {
      const today = startOfUtcDay(now);
      const weekStart = new Date(today.getTime() - (WEEK_DAYS - 1) * DAY_MS);
      const chartStart = new Date(today.getTime() - (CHART_DAYS - 1) * DAY_MS);
      const [periodTotals, days, sellers, low] = await Promise.all([
        totals(today, weekStart),
        revenueByDay(chartStart),
        bestSellers(),
        lowStock(),
      ]);
      return { today: isoDay(today), totals: periodTotals, revenueByDay: days, bestSellers: sellers, lowStock: low };
    },
  };
}

export type AdminDashboardService = ReturnType<typeof createAdminDashboardService>;
