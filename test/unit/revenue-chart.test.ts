import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRevenueChart, yScale, type ChartDay } from '../../lib/revenue-chart';

const PLOT_HEIGHT = 204; // the chart's height less its top and bottom margins

function month(cents: (i: number) => number): ChartDay[] {
  return Array.from({ length: 30 }, (_, i) => ({ label: `Nov ${i + 1}`, cents: cents(i) }));
}

function bars(svg: string): Array<{ y: number; height: number; title: string }> {
  return [...svg.matchAll(/<rect class="bar" x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)"[^>]*><title>([^<]*)<\/title><\/rect>/g)]
    .map((m) => ({ y: Number(m[1]), height: Number(m[2]), title: m[3] }));
}

describe('revenue chart', () => {
  test('draws one bar per day, zero days included', () => {
    const svg = renderRevenueChart(month((i) => (i % 3 === 0 ? 1500 : 0)));
    const drawn = bars(svg);
    assert.equal(drawn.length, 30);
    assert.equal(drawn.filter((b) => b.height === 0).length, 20, 'the zero days are there, with no height');
    assert.equal(drawn[1].title, 'Nov 2: $0.00');
    assert.equal(drawn[0].title, 'Nov 1: $15.00');
  });

  test('the highest day sets the scale and the others are in proportion', () => {
    const svg = renderRevenueChart(month((i) => (i === 10 ? 10000 : i === 11 ? 5000 : 0)));
    const drawn = bars(svg);
    // $100 is a round top for the axis, so the highest bar fills the plot exactly.
    assert.equal(drawn[10].height, PLOT_HEIGHT);
    assert.equal(drawn[11].height, PLOT_HEIGHT / 2);
    assert.equal(drawn[10].y + drawn[10].height, drawn[11].y + drawn[11].height, 'bars share a baseline');
    assert.match(svg, />\$100<\/text>/, 'the axis is labelled up to the top');
    assert.match(svg, />\$0<\/text>/);
  });

  test('an awkward maximum rounds the axis up, never cutting a bar off', () => {
    const drawn = bars(renderRevenueChart(month((i) => (i === 0 ? 12345 : 0))));
    assert.ok(drawn[0].height <= PLOT_HEIGHT && drawn[0].height > PLOT_HEIGHT / 2, String(drawn[0].height));
    assert.deepEqual(yScale(12345), { step: 5000, top: 15000 });
    assert.deepEqual(yScale(10000), { step: 5000, top: 10000 });
    assert.deepEqual(yScale(1), { step: 100, top: 100 });
  });

  test('all-zero data draws flat bars on a $1 axis, without dividing by zero', () => {
    const svg = renderRevenueChart(month(() => 0));
    const drawn = bars(svg);
    assert.equal(drawn.length, 30);
    assert.ok(drawn.every((b) => b.height === 0 && Number.isFinite(b.y)));
    assert.doesNotMatch(svg, /NaN|Infinity/);
    assert.match(svg, /no revenue on any day/);
    assert.deepEqual(yScale(0), { step: 100, top: 100 });
  });

  test('bad numbers are drawn as zero rather than breaking the drawing', () => {
    const svg = renderRevenueChart(month((i) => (i === 0 ? Number.NaN : i === 1 ? -500 : i === 2 ? Infinity : 200)));
    assert.doesNotMatch(svg, /NaN|Infinity/);
    assert.deepEqual(bars(svg).slice(0, 3).map((b) => b.height), [0, 0, 0]);
  });

  test('escapes every label and the title', () => {
    const days = month(() => 100);
    days[29] = { label: `<script>alert("x")</script> & 'co'`, cents: 100 };
    const svg = renderRevenueChart(days, 'Sales <b>& more</b>');
    assert.doesNotMatch(svg, /<script|<b>/);
    assert.match(svg, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &apos;co&apos;/);
    assert.match(svg, /aria-label="Sales &lt;b&gt;&amp; more&lt;\/b&gt;, Nov 1 to &lt;script&gt;/);
  });

  test('is accessible, self-contained and scales with its container', () => {
    const svg = renderRevenueChart(month((i) => i * 100));
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 720 260" role="img" aria-label="[^"]+"/);
    assert.match(svg, /<svg[^>]*><title>Revenue per day, Nov 1 to Nov 30: \$435\.00 in total, highest \$29\.00 on Nov 30\.<\/title>/);
    assert.doesNotMatch(svg.slice(0, svg.indexOf('>')), /\s(width|height)=/, 'no fixed size on the <svg>');
    assert.doesNotMatch(svg, /<script|\sstyle=|\son\w+=|href=|url\(/i);
    const xLabels = [...svg.matchAll(/<text[^>]*text-anchor="middle"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    assert.deepEqual(xLabels, ['Nov 2', 'Nov 9', 'Nov 16', 'Nov 23', 'Nov 30'], 'a label each week, ending today');
  });
});
