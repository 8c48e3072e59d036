import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { toCents, centsToDecimal, formatPrice } from '../../lib/money';

describe('toCents', () => {
  test('parses decimal strings as MySQL returns them', () => {
    assert.equal(toCents('32.50'), 3250);
    assert.equal(toCents('32.5'), 3250);
    assert.equal(toCents('0.1'), 10);
    assert.equal(toCents('0.01'), 1);
    assert.equal(toCents('28'), 2800);
    assert.equal(toCents('0'), 0);
    assert.equal(toCents('007.05'), 705);
  });

  test('ignores surrounding whitespace in strings', () => {
    assert.equal(toCents('  12.34 \n'), 1234);
  });

  test('parses numbers as SQLite returns them without float drift', () => {
    assert.equal(toCents(16.99), 1699);
    assert.equal(toCents(32.5), 3250);
    assert.equal(toCents(0.1), 10);
    assert.equal(toCents(28), 2800);
    // 0.1 + 0.2 is 0.30000000000000004; naive `* 100` truncation would give 30 or 31.
    assert.equal(toCents(0.1 + 0.2), 30);
    assert.equal(toCents(1.15), 115);
    assert.equal(toCents(4.35), 435);
  });

  test('keeps the sign of negative amounts', () => {
    assert.equal(toCents('-5.25'), -525);
    assert.equal(toCents('-0.5'), -50);
    assert.equal(toCents(-16.99), -1699);
  });

  test('refuses strings with more than two decimal places rather than guessing', () => {
    assert.throws(() => toCents('19.999'), TypeError);
    assert.throws(() => toCents('1.234'), TypeError);
  });

  test('negative zero is plain zero', () => {
    assert.ok(Object.is(toCents('-0.00'), 0));
  });

  for (const garbage of ['abc', '1e3', '', '   ', '.5', '5.', '+5', '1,000.00', '$5', '5.5.5', '--1', '0x10', 'NaN', 'Infinity']) {
    test(`rejects ${JSON.stringify(garbage)}`, () => {
      assert.throws(() => toCents(garbage), TypeError);
    });
  }

  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21]) {
    test(`rejects the number ${bad}`, () => {
      assert.throws(() => toCents(bad), TypeError);
    });
  }

  test('names the offending value in the error', () => {
    assert.throws(() => toCents('abc'), { name: 'TypeError', message: /"abc"/ });
  });
});

describe('centsToDecimal', () => {
  test('formats cents as two-decimal text', () => {
    assert.equal(centsToDecimal(3250), '32.50');
    assert.equal(centsToDecimal(1699), '16.99');
    assert.equal(centsToDecimal(5), '0.05');
    assert.equal(centsToDecimal(0), '0.00');
    assert.equal(centsToDecimal(100), '1.00');
    assert.equal(centsToDecimal(123456789), '1234567.89');
  });

  test('formats negative amounts with a leading minus', () => {
    assert.equal(centsToDecimal(-5), '-0.05');
    assert.equal(centsToDecimal(-3250), '-32.50');
  });

  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
    test(`rejects ${bad}`, () => {
      assert.throws(() => centsToDecimal(bad), TypeError);
    });
  }
});

describe('formatPrice', () => {
  test('formats dollars and cents', () => {
    assert.equal(formatPrice(3250), '$32.50');
    assert.equal(formatPrice(0), '$0.00');
    assert.equal(formatPrice(1), '$0.01');
    assert.equal(formatPrice(99999), '$999.99');
  });

  test('adds thousands separators', () => {
    assert.equal(formatPrice(100000), '$1,000.00');
    assert.equal(formatPrice(123456), '$1,234.56');
    assert.equal(formatPrice(123456789), '$1,234,567.89');
    assert.equal(formatPrice(100000000000), '$1,000,000,000.00');
  });

  test('puts the minus before the dollar sign', () => {
    assert.equal(formatPrice(-123456), '-$1,234.56');
    assert.equal(formatPrice(-1), '-$0.01');
  });

  test('rejects fractional cents', () => {
    assert.throws(() => formatPrice(10.5), TypeError);
  });
});

describe('round trips', () => {
  test('every cent from 0 to 20000 survives centsToDecimal → toCents, as a string and as a number', () => {
    for (let cents = 0; cents <= 20000; cents += 1) {
      const text = centsToDecimal(cents);
      assert.equal(toCents(text), cents, `string ${text}`);
      assert.equal(toCents(Number(text)), cents, `number ${text}`);
      if (cents > 0) assert.equal(toCents(`-${text}`), -cents, `negative ${text}`);
    }
  });

  test('formatPrice agrees with centsToDecimal once separators and sign are removed', () => {
    for (let cents = 0; cents <= 20000; cents += 7) {
      assert.equal(formatPrice(cents).replace(/[$,]/g, ''), centsToDecimal(cents));
    }
  });
});
