import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSlice, readWindow, reversedOrder } from '../../lib/pagination';

/** What the database would return for a window: the list read in that direction, with that offset and limit. */
function read(list: number[], window: ReturnType<typeof readWindow>): number[] {
  const ordered = window.reverse ? [...list].reverse() : list;
  const rows = ordered.slice(window.offset, window.offset + window.limit);
  return window.reverse ? rows.reverse() : rows;
}

test('every page of every list size shows the same rows as a plain OFFSET, reading at most half the list', () => {
  for (const perPage of [1, 7, 24]) {
    for (let total = 0; total <= 80; total += 1) {
      const list = Array.from({ length: total }, (_, i) => i);
      const { pageCount } = pageSlice(total, 1, perPage);
      for (let page = 1; page <= pageCount; page += 1) {
        const { offset } = pageSlice(total, page, perPage);
        const window = readWindow(total, offset, perPage);
        assert.deepEqual(read(list, window), list.slice(offset, offset + perPage), `total ${total}, page ${page} of ${perPage}`);
        assert.ok(window.offset <= Math.ceil(total / 2), `steps over ${window.offset} of ${total}`);
      }
    }
  }
});

test('the last page of a long list is read backwards from the end', () => {
  assert.deepEqual(readWindow(100_000, 99_984, 24), { reverse: true, offset: 0, limit: 16 });
  assert.deepEqual(readWindow(100_000, 0, 24), { reverse: false, offset: 0, limit: 24 });
});

test('reversedOrder flips every direction and keeps the columns', () => {
  assert.deepEqual(reversedOrder([['price', 'DESC'], ['title', 'ASC'], ['id', 'ASC']] as const), [['price', 'ASC'], ['title', 'DESC'], ['id', 'DESC']]);
});
