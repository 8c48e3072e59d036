import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { idSchema, parseBookParam, quantitySchema, parsePage, safeReturnPath, fieldErrors } from '../../validation/common';

/** The messages a failed parse produced, in order. */
function messages(result: { success: boolean; error?: z.ZodError }): string[] {
  assert.equal(result.success, false, 'expected the parse to fail');
  return result.error!.issues.map((i) => i.message);
}

describe('idSchema', () => {
  for (const [input, expected] of [['1', 1], ['42', 42], ['007', 7], [' 7 ', 7], ['2147483647', 2147483647]] as const) {
    test(`accepts ${JSON.stringify(input)} as ${expected}`, () => {
      assert.deepEqual(idSchema.safeParse(input), { success: true, data: expected });
    });
  }

  for (const input of ['-1', '1.5', '1e3', 'abc', '', '   ', '+1', '0x1', '1 2', '99999999999', '１２']) {
    test(`rejects ${JSON.stringify(input)} as not a whole number`, () => {
      assert.deepEqual(messages(idSchema.safeParse(input)), ['must be a whole number']);
    });
  }

  test('rejects zero as not positive', () => {
    assert.deepEqual(messages(idSchema.safeParse('0')), ['must be a positive number']);
  });

  test('rejects ids beyond the INT range', () => {
    assert.deepEqual(messages(idSchema.safeParse('2147483648')), ['is too large']);
    assert.deepEqual(messages(idSchema.safeParse('9999999999')), ['is too large']);
  });

  for (const input of [7, undefined, null, ['7'], { id: 7 }]) {
    test(`rejects the non-string ${JSON.stringify(input)}`, () => {
      assert.deepEqual(messages(idSchema.safeParse(input)), ['is required']);
    });
  }
});

describe('parseBookParam', () => {
  const accepted: Array<[string, number]> = [
    ['12', 12],
    ['12-the-great-gatsby', 12],
    ['12-', 12],
    ['1-1984', 1],
    ['0012', 12],
    ['2147483647', 2147483647],
    ['2147483647-last', 2147483647],
  ];
  for (const [input, expected] of accepted) {
    test(`${JSON.stringify(input)} → ${expected}`, () => {
      assert.equal(parseBookParam(input), expected);
    });
  }

  const rejected = ['abc', '12abc', '-3', '0', '0-zero', '12-Upper', '12_the', '12 the', '', '12.5', '1e3', ' 12', '2147483648', '9999999999', '99999999999', '12-the%20gatsby', '12-ü'];
  for (const input of rejected) {
    test(`${JSON.stringify(input)} → null`, () => {
      assert.equal(parseBookParam(input), null);
    });
  }
});

describe('quantitySchema(99)', () => {
  const quantity = quantitySchema(99);

  test('accepts every quantity from 1 to 99', () => {
    for (let n = 1; n <= 99; n += 1) assert.deepEqual(quantity.safeParse(String(n)), { success: true, data: n });
  });

  test('trims surrounding whitespace', () => {
    assert.deepEqual(quantity.safeParse(' 3 '), { success: true, data: 3 });
  });

  test('rejects zero with a minimum message', () => {
    assert.deepEqual(messages(quantity.safeParse('0')), ['Enter at least 1.']);
  });

  test('rejects more than the maximum with a message naming it', () => {
    assert.deepEqual(messages(quantity.safeParse('100')), ['You can order at most 99 copies of one book.']);
    assert.deepEqual(messages(quantity.safeParse('999999')), ['You can order at most 99 copies of one book.']);
  });

  for (const input of ['1.5', '1e1', '', 'abc', '-1', '+1', '1,000', '1000000']) {
    test(`rejects ${JSON.stringify(input)} as not a whole number`, () => {
      assert.deepEqual(messages(quantity.safeParse(input)), ['Enter a whole number, like 1 or 2.']);
    });
  }

  test('rejects a missing quantity', () => {
    assert.deepEqual(messages(quantity.safeParse(undefined)), ['Enter a quantity.']);
    assert.deepEqual(messages(quantity.safeParse(3)), ['Enter a quantity.']);
  });

  test('takes its maximum from the argument', () => {
    const small = quantitySchema(3);
    assert.equal(small.safeParse('3').success, true);
    assert.deepEqual(messages(small.safeParse('4')), ['You can order at most 3 copies of one book.']);
  });
});

describe('parsePage', () => {
  test('reads a positive page number', () => {
    assert.equal(parsePage('1'), 1);
    assert.equal(parsePage('2'), 2);
    assert.equal(parsePage('999999'), 999999);
  });

  test('falls back to the first page for anything odd', () => {
    for (const value of ['0', '000', '-2', '2.5', '1e2', 'abc', '', ' 2', '1234567', undefined, null, 3, ['2'], { page: '2' }]) {
      assert.equal(parsePage(value), 1, JSON.stringify(value));
    }
  });
});

describe('safeReturnPath', () => {
  const fallback = '/cart';

  for (const path of ['/', '/books?page=2', '/category/childrens-books?sort=price-asc&page=3', '/books/12-the-great-gatsby#top', '/search?q=%2F%2Fevil']) {
    test(`accepts the local path ${JSON.stringify(path)}`, () => {
      assert.equal(safeReturnPath(path, fallback), path);
    });
  }

  const hostile = [
    '//evil.example',
    '//evil.example/books',
    'https://evil.example',
    'http://evil.example/',
    'javascript:alert(1)',
    '/\\evil.example',
    '\\\\evil.example',
    'books',
    '',
    '/books\r\nSet-Cookie: x=1',
    '/books\nLocation: //evil.example',
    '/books\r',
    '/books\0',
  ];
  for (const value of hostile) {
    test(`falls back for ${JSON.stringify(value)}`, () => {
      assert.equal(safeReturnPath(value, fallback), fallback);
    });
  }

  for (const value of [undefined, null, 42, ['/books'], { path: '/books' }]) {
    test(`falls back for the non-string ${JSON.stringify(value)}`, () => {
      assert.equal(safeReturnPath(value, fallback), fallback);
    });
  }

  test('accepts 500 characters but not 501', () => {
    const exact = `/${'a'.repeat(499)}`;
    assert.equal(safeReturnPath(exact, fallback), exact);
    assert.equal(safeReturnPath(`${exact}a`, fallback), fallback);
  });
});

describe('fieldErrors', () => {
  test('keeps the first message per top-level field and uses "form" for root issues', () => {
    const schema = z.object({ a: z.string().min(3, 'too short').regex(/^x/, 'must start with x'), b: z.number('need b') });
    const result = schema.safeParse({ a: 'y', b: 'no' });
    assert.equal(result.success, false);
    assert.deepEqual(fieldErrors(result.error!), { a: 'too short', b: 'need b' });
    const root = z.string('not text').safeParse(1);
    assert.deepEqual(fieldErrors(root.error!), { form: 'not text' });
  });
});
