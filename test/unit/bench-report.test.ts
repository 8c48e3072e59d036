import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuSecondsFrom, formatTable, memoryLine, peakReachedDuring, peakRssMbFrom, processTargets, rowFor, rssMbFrom, targetFor, type Measurement } from '../../bench/report';
import { Visitor, csrfTokenIn, formBody, headerValues } from '../../bench/visitor';

const measured = (overrides: Partial<Measurement>): Measurement => ({
  scenario: 'home', connections: 50, durationSeconds: 10, requests: 1000, requestsPerSecond: 100,
  p50Ms: 5, p99Ms: 20, errors: 0, statusCounts: { 200: 1000 }, ...overrides,
});

describe('bench targets', () => {
  test('page targets need the ratio to the yardstick and, for home, category and book, the p99', () => {
    assert.deepEqual(targetFor(measured({ requestsPerSecond: 500 }), 1000), { label: '≥ 0.5×, p99 < 50 ms', met: true });
    assert.equal(targetFor(measured({ requestsPerSecond: 499 }), 1000)!.met, false);
    assert.equal(targetFor(measured({ requestsPerSecond: 900, p99Ms: 50 }), 1000)!.met, false, 'p99 must be under 50 ms');
    assert.deepEqual(targetFor(measured({ scenario: 'search', requestsPerSecond: 250, p99Ms: 900 }), 1000), { label: '≥ 0.25×', met: true });
    assert.equal(targetFor(measured({ scenario: 'cart', requestsPerSecond: 199 }), 1000)!.met, false);
  });

  test('checkout is judged by confirmed orders per second; targets apply at 50 connections only', () => {
    assert.equal(targetFor(measured({ scenario: 'checkout', requestsPerSecond: 400, ordersPerSecond: 99.9 }), 1000)!.met, false);
    assert.equal(targetFor(measured({ scenario: 'checkout', ordersPerSecond: 100 }), 1000)!.met, true);
    assert.equal(targetFor(measured({ connections: 10, requestsPerSecond: 900 }), 1000), null);
    assert.equal(targetFor(measured({ scenario: 'admin-dashboard' }), 1000), null);
    assert.equal(targetFor(measured({ scenario: 'yardstick' }), 1000), null);
  });

  test('memory and start-up targets', () => {
    const [rss, ready] = processTargets({ peakRssMb: 149.9, firstStartMs: 5000, readyMs: 2000 });
    assert.equal(rss.met, true);
    assert.equal(ready.met, false, '2 s is not under 2 s');
    assert.equal(ready.value, '2000 ms');
  });
});

describe('bench table', () => {
  test('rows show the ratio to the same run\'s yardstick and the verdict', () => {
    const row = rowFor(measured({ requestsPerSecond: 1234.4, p99Ms: 61.25, cpuMsPerRequest: 0.5 }), 2000);
    assert.equal(row.rps, '1234');
    assert.equal(row.ratio, '0.62×');
    assert.equal(row.p99, '61.3');
    assert.equal(row.cpu, '0.50');
    assert.equal(row.target, 'MISSED (≥ 0.5×, p99 < 50 ms)');
    assert.equal(rowFor(measured({ scenario: 'checkout', ordersPerSecond: 120.4 }), 2000).extra, '120 orders/s');
  });

  test('the table lines up: every line as wide as the header', () => {
    const table = formatTable([rowFor(measured({}), 1000), rowFor(measured({ scenario: 'books-last-page', requestsPerSecond: 12345 }), 1000)]);
    const lines = table.split('\n');
    assert.equal(lines.length, 4);
    assert.ok(lines.every((l) => l.length === lines[0].length), table);
    assert.match(lines[3], /^\| books-last-page \|/);
  });

  test('reads VmHWM and CPU time from /proc files', () => {
    assert.equal(peakRssMbFrom('Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t  153600 kB\nVmRSS:\t 1 kB\n'), 150);
    assert.equal(peakRssMbFrom('Name:\tnode\n'), null);
    assert.equal(rssMbFrom('Name:\tnode\nVmHWM:\t  153600 kB\nVmRSS:\t  102400 kB\n'), 100);
    assert.equal(rssMbFrom('Name:\tnode\nVmHWM:\t  153600 kB\n'), null);
    // A command name with spaces and a parenthesis must not shift the fields.
    const stat = '123 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0';
    assert.equal(cpuSecondsFrom(stat), 3);
  });
});

describe('bench memory story', () => {
  const run = [
    measured({ scenario: 'yardstick', connections: 10, peakRssMb: 300 }),
    measured({ scenario: 'home', connections: 10, peakRssMb: 120 }),
    measured({ scenario: 'cart', connections: 10, peakRssMb: 140 }),
    measured({ scenario: 'cart', connections: 50, peakRssMb: 140 }),
  ];

  test('names where the peak was first reached, never the yardstick (another process)', () => {
    assert.equal(peakReachedDuring(140, 100, 110, run), 'cart at 10 connections');
    assert.equal(peakReachedDuring(115, 100, 115, run), 'warm-up');
    assert.equal(peakReachedDuring(100, 100, 90, run), 'start');
    assert.equal(peakReachedDuring(120, 100, undefined, run), 'home at 10 connections', 'a run without warm-up');
    assert.equal(peakReachedDuring(150, 100, 110, run), 'the end of the run', 'read after the last measurement');
  });

  test('the table shows the peak so far after each scenario, blank for the yardstick', () => {
    assert.equal(rowFor(measured({ peakRssMb: 141.6 }), 1000).peakRss, '142');
    assert.equal(rowFor(measured({ scenario: 'yardstick' }), 1000).peakRss, '');
  });

  test('one line tells RSS at ready, after the warm-up and at the peak', () => {
    assert.equal(
      memoryLine({ peakRssMb: 142.71, firstStartMs: 1, readyMs: 1, rssReadyMb: 104, rssWarmMb: 127.3, peakDuring: 'warm-up' }),
      'RSS: 104.0 MB at ready, 127.3 MB after the warm-up, peak 142.7 MB (reached during warm-up)',
    );
    assert.equal(memoryLine({ peakRssMb: 99, firstStartMs: 1, readyMs: 1 }), 'RSS: peak 99.0 MB');
  });
});

describe('bench visitor', () => {
  test('keeps cookies across responses, replaces and deletes them', () => {
    const visitor = new Visitor();
    assert.equal(visitor.cookieHeader(), undefined);
    visitor.remember({ 'Set-Cookie': ['epicbook.csrf=abc; Path=/; HttpOnly', 'epicbook.sid=s%3A1; Path=/'] });
    assert.equal(visitor.cookieHeader(), 'epicbook.csrf=abc; epicbook.sid=s%3A1');
    visitor.remember({ 'set-cookie': 'epicbook.csrf=def; Path=/' });
    visitor.remember({ 'set-cookie': 'epicbook.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT' });
    assert.equal(visitor.cookieHeader(), 'epicbook.csrf=def');
    visitor.forget();
    assert.equal(visitor.cookieHeader(), undefined);
  });

  test('finds the form token, header values in any case, and encodes forms', () => {
    assert.equal(csrfTokenIn('<input type="hidden" name="_csrf" value="a1.b2">'), 'a1.b2');
    assert.equal(csrfTokenIn('<p>no form</p>'), null);
    assert.deepEqual(headerValues({ Location: '/orders/7' }, 'location'), ['/orders/7']);
    assert.equal(formBody({ email: 'a+b@example.com', quantity: 2 }), 'email=a%2Bb%40example.com&quantity=2');
  });
});
