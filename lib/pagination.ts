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
