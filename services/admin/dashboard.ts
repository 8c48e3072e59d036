import { Op, QueryTypes } from 'sequelize';
import type { Database } from '../../db/connection';
import { Author, Book } from '../../models';
import { toCents } from '../../lib/money';
import { listedFilter } from '../catalog';

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
// One formatter for the process: toLocaleDateString with options builds a new ICU formatter on every
// call, whose native memory V8 neither sees nor hurries to free. Thirty of them per dashboard view
// cost about 2 CPU ms, and 50 admins at once pushed the process's RSS up by 20 MB.
const DAY_LABEL = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayLabel = (date: Date) => DAY_LABEL.format(date);

/** SUM over no rows is NULL; MySQL sends DECIMAL sums as text and SQLite as a float: toCents reads both. */
const cents = (value: string | number | null) => (value === null ? 0 : toCents(value));
/** COUNT and SUM(CASE …) arrive as numbers or, from MySQL, as DECIMAL text. */
const count = (value: string | number | null) => (value === null ? 0 : Number(value));

export function createAdminDashboardService(db: Database) {
  const { sequelize } = db;
  /** Orders and revenue today, over the last seven days (today included) and ever, from the daily rollup. */
  async function totals(today: Date, weekStart: Date): Promise<DashboardOverview['totals']> {
    const [row] = await sequelize.query<Record<string, string | number | null>>(
      `SELECT SUM(orders) AS allOrders, SUM(revenue) AS allRevenue,
         SUM(CASE WHEN day >= :weekStart THEN orders ELSE 0 END) AS weekOrders,
         SUM(CASE WHEN day >= :weekStart THEN revenue ELSE 0 END) AS weekRevenue,
         SUM(CASE WHEN day >= :today THEN orders ELSE 0 END) AS todayOrders,
         SUM(CASE WHEN day >= :today THEN revenue ELSE 0 END) AS todayRevenue
       FROM DailySales WHERE status <> :cancelled`,
      { type: QueryTypes.SELECT, replacements: { today: isoDay(today), weekStart: isoDay(weekStart), cancelled: CANCELLED } },
    );
    return {
      today: { orders: count(row.todayOrders), revenueCents: cents(row.todayRevenue) },
      lastSevenDays: { orders: count(row.weekOrders), revenueCents: cents(row.weekRevenue) },
      allTime: { orders: count(row.allOrders), revenueCents: cents(row.allRevenue) },
    };
  }

  /** At most CHART_DAYS × statuses rows from the rollup; the days without orders are filled in here. */
  async function revenueByDay(firstDay: Date): Promise<DayRevenue[]> {
    const rows = await sequelize.query<{ day: string; orders: string | number; revenue: string | number | null }>(
      `SELECT day, SUM(orders) AS orders, SUM(revenue) AS revenue
       FROM DailySales WHERE day >= :firstDay AND status <> :cancelled
       GROUP BY day`,
      { type: QueryTypes.SELECT, replacements: { firstDay: isoDay(firstDay), cancelled: CANCELLED } },
    );
    const byDay = new Map(rows.map((r) => [String(r.day), r]));
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
   * order's lines: the per-book counters checkout and cancellation keep, read from the top of their
   * index. Removed books still count: they sold.
   */
  async function bestSellers(): Promise<BestSeller[]> {
    const books = await Book.findAll({
      where: { copiesSold: { [Op.gt]: 0 } },
      attributes: ['id', 'title', 'removedAt', 'AuthorId', 'copiesSold', 'salesRevenue'],
      include: [{ model: Author, attributes: ['firstName', 'lastName'] }],
      order: [['copiesSold', 'DESC'], ['salesRevenue', 'DESC'], ['id', 'ASC']],
      limit: BEST_SELLERS,
    });
    return books.map((book): BestSeller => ({
      bookId: book.id,
      title: book.title,
      authorName: book.Author?.fullName ?? '',
      copies: book.copiesSold,
      revenueCents: cents(book.salesRevenue),
      removed: Boolean(book.removedAt),
      editUrl: `/admin/books/${book.id}/edit`,
    }));
  }

  /** Books still on sale that are nearly gone, the emptiest first (read in order from the (inventory, title) index). */
  async function lowStock(): Promise<LowStockBook[]> {
    const books = await Book.findAll({
      where: { [Op.and]: [listedFilter(), { inventory: { [Op.lte]: LOW_STOCK_AT } }] },
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
