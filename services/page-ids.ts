import { IndexHints, type Model, type ModelStatic, type Order, type WhereOptions } from 'sequelize';
import { readWindow, reversedOrder } from '../lib/pagination';

type Direction = 'ASC' | 'DESC';

/**
 * The ids on one page of an ordered list, read from the list's index alone: the far half of the list
 * backwards (see readWindow), so the last page costs what the first does. `index` forces MySQL onto
 * the index that holds this order (it may otherwise sort once the offset is deep; SQLite ignores it).
 */
export async function pageIds(
  model: ModelStatic<Model>,
  options: {
    where: WhereOptions;
    order: readonly (readonly [string, Direction])[];
    index?: string | null;
    total: number;
    offset: number;
    perPage: number;
  },
): Promise<number[]> {
  const window = readWindow(options.total, options.offset, options.perPage);
  const rows = (await model.findAll({
    where: options.where,
    attributes: ['id'],
    ...(options.index ? { indexHints: [{ type: IndexHints.FORCE, values: [options.index] }] } : {}),
    order: (window.reverse ? reversedOrder(options.order) : options.order) as unknown as Order,
    limit: window.limit,
    offset: window.offset,
    raw: true,
  })) as unknown as Array<{ id: number }>;
  const ids = rows.map((row) => row.id);
  return window.reverse ? ids.reverse() : ids;
}

/** `rows` in the order of `ids`; a row that went away between the two reads is left out. */
export function inIdOrder<T extends { id: number }>(ids: readonly number[], rows: readonly T[]): T[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
