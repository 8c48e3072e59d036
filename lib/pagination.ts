export interface PageLink {
  number: number;
  url: string;
  current: boolean;
}

export interface Pagination {
  page: number;
  pageCount: number;
  previousUrl: string | null;
  nextUrl: string | null;
  links: PageLink[];
  gapBefore: boolean;
  gapAfter: boolean;
}

/** Links for a page strip: first, last and a window around the current page. */
export function paginate(basePath: string, params: Record<string, string | undefined>, page: number, pageCount: number, window = 2): Pagination | null {
  if (pageCount <= 1) return null;
  const url = (n: number) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
    if (n > 1) query.set('page', String(n));
    const text = query.toString();
    return text ? `${basePath}?${text}` : basePath;
  };
  const from = Math.max(1, page - window);
  const to = Math.min(pageCount, page + window);
  const links: PageLink[] = [];
  for (let n = from; n <= to; n += 1) links.push({ number: n, url: url(n), current: n === page });
  if (from > 1) links.unshift({ number: 1, url: url(1), current: false });
  if (to < pageCount) links.push({ number: pageCount, url: url(pageCount), current: false });
  return {
    page,
    pageCount,
    previousUrl: page > 1 ? url(page - 1) : null,
    nextUrl: page < pageCount ? url(page + 1) : null,
    links,
    gapBefore: from > 2,
    gapAfter: to < pageCount - 1,
  };
}

/**
 * Which rows a page shows: the page number held between 1 and the last page (a number past the end
 * shows the last page), and the OFFSET that goes with it.
 */
export function pageSlice(total: number, requested: number, perPage: number): { page: number; pageCount: number; offset: number } {
  const pageCount = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(Math.max(1, requested), pageCount);
  return { page, pageCount, offset: (page - 1) * perPage };
}

/**
 * How to read one page of a sorted list cheaply: the near half front to back with its OFFSET, the
 * far half in the reverse order with a small one (then the rows are turned round). Either way the
 * database steps over at most half the list, and the last page costs what the first does.
 */
export function readWindow(total: number, offset: number, perPage: number): { reverse: boolean; offset: number; limit: number } {
  const limit = Math.max(0, Math.min(perPage, total - offset));
  if (offset <= total / 2) return { reverse: false, offset, limit: perPage };
  return { reverse: true, offset: Math.max(0, total - offset - limit), limit };
}

type Direction = 'ASC' | 'DESC';

/** The same order read backwards: every column's direction flipped. */
export function reversedOrder<T extends readonly (readonly [string, Direction])[]>(order: T): Array<[string, Direction]> {
  return order.map(([column, direction]) => [column, direction === 'ASC' ? 'DESC' : 'ASC']);
}
