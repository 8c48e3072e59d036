import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { viewHelpers } from '../../lib/view-helpers';

describe('view helpers', () => {
  test('date reads the UTC day in US English, from a Date or its text', () => {
    // Late in the evening UTC: still the 3rd, whatever the server's own time zone.
    assert.equal(viewHelpers.date('2026-11-03T23:30:00Z'), 'November 3, 2026');
    assert.equal(viewHelpers.date(new Date(Date.UTC(2024, 0, 1))), 'January 1, 2024');
    // The same formatter serves every call: a second, different date is not the first one again.
    assert.equal(viewHelpers.date(new Date(Date.UTC(1999, 11, 31, 12))), 'December 31, 1999');
  });

  test('date says "Invalid Date" for a value that is no date, instead of failing the page', () => {
    assert.equal(viewHelpers.date('not a date'), 'Invalid Date');
    assert.equal(viewHelpers.date(new Date(Number.NaN)), 'Invalid Date');
  });
});
