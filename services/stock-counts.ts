import type { Sequelize } from 'sequelize';
import { sqlRunner } from '../db/sql';
import { batchedLookup } from '../lib/batched-lookup';

/**
 * Books' current stock by id, for the stock slots of cached pages (services/page-cache.ts): every hit
 * on a book page reads its book's count, so that a sale shows at once without making the page stale.
 *
 * One primary-key read per batch, shared by the requests that arrive together and never joined once
 * under way (lib/batched-lookup.ts), so each count is read after its request arrived. Plain SQL, as
 * it runs on every such hit. A book that is not there (deleted) has no count: undefined.
 */
export function createStockReader(sequelize: Sequelize): (bookId: number) => Promise<number | undefined> {
  const sql = sqlRunner(sequelize);
  return batchedLookup(async (ids: number[]) => {
    const rows = await sql.all<{ id: number; inventory: number | string }>(
      `SELECT id, inventory FROM Books WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    return new Map(rows.map((row) => [Number(row.id), Number(row.inventory)]));
  });
}
