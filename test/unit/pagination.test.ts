import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { paginate, type Pagination } from '../../lib/pagination';

function strip(basePath: string, params: Record<string, string | undefined>, page: number, pageCount: number, window?: number): Pagination {
  const result = paginate(basePath, params, page, pageCount, window);
  assert.ok(result, 'expected a page strip');
  return result;
}

const numbers = (p: Pagination) => p.links.map((l) => l.number);

describe('paginate', () => {
  test('returns null when there is only one page (or none)', () => {
    assert.equal(paginate('/books', {}, 1, 1), null);
    assert.equal(paginate('/books', {}, 1, 0), null);
  });

  test('on the first page: no previous link, next goes to page 2', () => {
    const p = strip('/books', {}, 1, 5);
    assert.equal(p.page, 1);
    assert.equal(p.pageCount, 5);
    assert.equal(p.previousUrl, null);
    assert.equal(p.nextUrl, '/books?page=2');
  });

  test('on the last page: previous link, no next link', () => {
    const p = strip('/books', {}, 5, 5);
    assert.equal(p.previousUrl, '/books?page=4');
    assert.equal(p.nextUrl, null);
  });

  test('page 1 is the bare path, without ?page=1', () => {
    const p = strip('/books', {}, 2, 3);
    assert.equal(p.previousUrl, '/books');
    assert.equal(p.links[0].url, '/books');
    for (const link of p.links) assert.doesNotMatch(link.url, /page=1(?!\d)/);
  });

  test('marks exactly the current page', () => {
    const p = strip('/books', {}, 3, 5);
    assert.deepEqual(p.links.filter((l) => l.current).map((l) => l.number), [3]);
  });

  test('shows every page without gaps when they all fit in the window', () => {
    const p = strip('/books', {}, 3, 5);
    assert.deepEqual(p.links, [
      { number: 1, url: '/books', current: false },
      { number: 2, url: '/books?page=2', current: false },
      { number: 3, url: '/books?page=3', current: true },
      { number: 4, url: '/books?page=4', current: false },
      { number: 5, url: '/books?page=5', current: false },
    ]);
    assert.equal(p.gapBefore, false);
    assert.equal(p.gapAfter, false);
  });

  test('in the middle of many pages: first, window, last, with gaps on both sides', () => {
    const p = strip('/books', {}, 10, 20);
    assert.deepEqual(numbers(p), [1, 8, 9, 10, 11, 12, 20]);
    assert.equal(p.gapBefore, true);
    assert.equal(p.gapAfter, true);
    assert.equal(p.links[0].url, '/books');
    assert.equal(p.links.at(-1)!.url, '/books?page=20');
  });

  test('near the start: no gap before, gap after', () => {
    const p = strip('/books', {}, 2, 20);
    assert.deepEqual(numbers(p), [1, 2, 3, 4, 20]);
    assert.equal(p.gapBefore, false);
    assert.equal(p.gapAfter, true);
  });

  test('near the end: gap before, no gap after', () => {
    const p = strip('/books', {}, 19, 20);
    assert.deepEqual(numbers(p), [1, 17, 18, 19, 20]);
    assert.equal(p.gapBefore, true);
    assert.equal(p.gapAfter, false);
  });

  test('no gap is flagged when the window is adjacent to the first or last page', () => {
    // Window 2..6 around page 4 touches page 1; 4..8 around page 6 touches page 9 of 9.
    const low = strip('/books', {}, 4, 9);
    assert.deepEqual(numbers(low), [1, 2, 3, 4, 5, 6, 9]);
    assert.equal(low.gapBefore, false);
    assert.equal(low.gapAfter, true);
    const high = strip('/books', {}, 6, 9);
    assert.deepEqual(numbers(high), [1, 4, 5, 6, 7, 8, 9]);
    assert.equal(high.gapBefore, true);
    assert.equal(high.gapAfter, false);
  });

  test('page numbers are strictly increasing with no duplicates', () => {
    for (let pageCount = 2; pageCount <= 12; pageCount += 1) {
      for (let page = 1; page <= pageCount; page += 1) {
        const n = numbers(strip('/books', {}, page, pageCount));
        for (let i = 1; i < n.length; i += 1) assert.ok(n[i] > n[i - 1], `page ${page}/${pageCount}: ${n}`);
        assert.equal(n[0], 1);
        assert.equal(n.at(-1), pageCount);
        assert.ok(n.includes(page));
      }
    }
  });

  test('honours a custom window size', () => {
    assert.deepEqual(numbers(strip('/books', {}, 10, 20, 1)), [1, 9, 10, 11, 20]);
    assert.deepEqual(numbers(strip('/books', {}, 10, 20, 0)), [1, 10, 20]);
  });

  test('keeps query parameters on every link', () => {
    const p = strip('/category/fantasy', { sort: 'price-asc' }, 2, 3);
    assert.equal(p.previousUrl, '/category/fantasy?sort=price-asc');
    assert.equal(p.nextUrl, '/category/fantasy?sort=price-asc&page=3');
    for (const link of p.links) assert.match(link.url, /^\/category\/fantasy\?sort=price-asc(?:&page=\d+)?$/);
  });

  test('URL-encodes query values', () => {
    const p = strip('/search', { q: 'tom & jerry/100%?#' }, 1, 2);
    assert.equal(p.nextUrl, '/search?q=tom+%26+jerry%2F100%25%3F%23&page=2');
    assert.equal(new URL(p.nextUrl!, 'http://x').searchParams.get('q'), 'tom & jerry/100%?#');
  });

  test('leaves out undefined and empty parameters', () => {
    const p = strip('/books', { sort: undefined, q: '' }, 1, 2);
    assert.equal(p.links[0].url, '/books');
    assert.equal(p.nextUrl, '/books?page=2');
  });
});
