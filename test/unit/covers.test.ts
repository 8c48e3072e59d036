import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { renderCover, wrapText } from '../../services/covers';
import { escapeXml } from '../../lib/xml';

const book = { title: 'The Great Gatsby', authorName: 'F. Scott Fitzgerald', genre: 'Classics', genreSlug: 'classics' };

/** The text of every title line, as it appears (escaped) in the SVG. */
function titleLines(svg: string): string[] {
  return [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]);
}

function backgroundOf(svg: string): string {
  const match = /<rect width="300" height="450" fill="(#[0-9a-f]{6})"\/>/.exec(svg);
  assert.ok(match, 'cover has a background rect');
  return match[1];
}

describe('escapeXml', () => {
  test('escapes the five XML special characters', () => {
    assert.equal(escapeXml(`<a href="x">Tom & Jerry's</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
  });

  test('escapes an ampersand that already looks like an entity', () => {
    assert.equal(escapeXml('&amp;'), '&amp;amp;');
  });

  test('leaves other text alone', () => {
    assert.equal(escapeXml('Brontë — 100% “plain”'), 'Brontë — 100% “plain”');
    assert.equal(escapeXml(''), '');
  });
});

describe('wrapText', () => {
  test('keeps short text on one line', () => {
    assert.deepEqual(wrapText('The Hobbit', 13, 6), ['The Hobbit']);
  });

  test('wraps greedily at word boundaries without exceeding the width', () => {
    const lines = wrapText('The quick brown fox jumps over the lazy dog', 13, 6);
    assert.deepEqual(lines, ['The quick', 'brown fox', 'jumps over', 'the lazy dog']);
    for (const line of lines) assert.ok(line.length <= 13, line);
  });

  test('collapses runs of whitespace', () => {
    assert.deepEqual(wrapText('  a \n\t b  ', 13, 6), ['a b']);
  });

  test('returns no lines for empty or blank text', () => {
    assert.deepEqual(wrapText('', 13, 6), []);
    assert.deepEqual(wrapText('   ', 13, 6), []);
  });

  test('cuts a word longer than a line and marks the cut', () => {
    assert.deepEqual(wrapText('Supercalifragilistic', 10, 3), ['Supercali…']);
  });

  test('adds an ellipsis to the last line when text is left over', () => {
    const lines = wrapText('one two three four five six seven', 9, 2);
    assert.equal(lines.length, 2);
    assert.equal(lines[0], 'one two');
    assert.ok(lines[1].endsWith('…'), lines[1]);
    assert.ok(lines[1].length <= 9, lines[1]);
  });

  test('adds no ellipsis when everything fits exactly', () => {
    assert.deepEqual(wrapText('one two', 3, 2), ['one', 'two']);
  });
});

describe('renderCover', () => {
  test('produces a single SVG document', () => {
    const svg = renderCover(book);
    assert.ok(svg.startsWith('<svg '), svg.slice(0, 40));
    assert.ok(svg.endsWith('</svg>'));
    assert.equal(svg.match(/<svg\b/g)?.length, 1);
    assert.match(svg, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /viewBox="0 0 300 450"/);
  });

  test('opens and closes its text elements in balance', () => {
    const svg = renderCover({ ...book, title: 'A Tale of Two Cities and Some More Words Besides' });
    assert.equal(svg.match(/<text\b/g)?.length, svg.match(/<\/text>/g)?.length);
    assert.equal(svg.match(/<tspan\b/g)?.length, svg.match(/<\/tspan>/g)?.length);
  });

  test('shows the title, the author and the genre in capitals', () => {
    const svg = renderCover(book);
    assert.deepEqual(titleLines(svg), ['The Great', 'Gatsby']);
    assert.match(svg, />F\. Scott Fitzgerald<\/text>/);
    assert.match(svg, />CLASSICS<\/text>/);
    assert.match(svg, /aria-label="Cover of The Great Gatsby by F\. Scott Fitzgerald"/);
  });

  test('escapes hostile text everywhere it appears', () => {
    const hostile = `<script>alert(1)</script> & "quotes"`;
    const svg = renderCover({ title: hostile, authorName: hostile, genre: hostile, genreSlug: 'x' });
    assert.doesNotMatch(svg, /<script/i);
    assert.doesNotMatch(svg, /"quotes"/);
    assert.match(svg, /&lt;SCRIPT&gt;/);
    assert.match(svg, /&amp;/);
    // Every `&` in the document must start an entity, or the XML is malformed.
    assert.doesNotMatch(svg, /&(?!(?:amp|lt|gt|quot|apos);)/);
  });

  test('cannot break out of the aria-label attribute', () => {
    const svg = renderCover({ ...book, title: `x" onload="alert(1)"` });
    assert.doesNotMatch(svg, /onload="/);
    assert.match(svg, /aria-label="Cover of x&quot; onload=&quot;alert\(1\)&quot; by F\. Scott Fitzgerald">/);
  });

  test('wraps a very long title to at most 6 lines ending in an ellipsis', () => {
    const title = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const lines = titleLines(renderCover({ ...book, title }));
    assert.equal(lines.length, 6);
    assert.ok(lines[5].endsWith('…'), lines[5]);
    for (const line of lines) assert.ok(line.length <= 16, line);
  });

  test('uses smaller type for titles over 40 characters', () => {
    assert.match(renderCover({ ...book, title: 'x'.repeat(10) }), /font-size="32"/);
    assert.match(renderCover({ ...book, title: 'word '.repeat(9) }), /font-size="26"/);
  });

  test('centres the title block vertically around y=200', () => {
    const ys = (svg: string) => [...svg.matchAll(/<tspan x="150" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(ys(renderCover({ ...book, title: 'Dune' })), [200]);
    const two = ys(renderCover(book));
    assert.equal(two.length, 2);
    assert.equal((two[0] + two[1]) / 2, 200);
  });

  test('truncates a long author name to one line', () => {
    const svg = renderCover({ ...book, authorName: 'Gabriel José de la Concordia García Márquez' });
    assert.match(svg, />Gabriel José de la…<\/text>/);
  });

  test('gives known genres their own palette', () => {
    assert.equal(backgroundOf(renderCover(book)), '#5b2333');
    assert.equal(backgroundOf(renderCover({ ...book, genreSlug: 'fantasy' })), '#14213d');
  });

  test('gives unknown genres a fallback colour, stable per genre', () => {
    const fallbacks = ['#3d405b', '#81441d', '#264653', '#6d597a', '#335c67', '#7f5539'];
    const seen = new Set<string>();
    for (const genreSlug of ['poetry', 'science-fiction', 'cooking', 'true-crime', 'history', 'romance', 'travel', '', 'ノルウェイ']) {
      const colour = backgroundOf(renderCover({ ...book, genreSlug }));
      assert.ok(fallbacks.includes(colour), `${genreSlug} → ${colour}`);
      assert.equal(backgroundOf(renderCover({ ...book, genreSlug })), colour);
      seen.add(colour);
    }
    assert.ok(seen.size > 1, 'the hash spreads genres over more than one colour');
  });

  test('is a pure function of its input', () => {
    const a = renderCover({ ...book, genreSlug: 'unknown-genre' });
    const b = renderCover({ ...book, genreSlug: 'unknown-genre' });
    assert.equal(a, b);
    assert.notEqual(renderCover(book), renderCover({ ...book, title: 'Other' }));
  });

  test('renders an empty title and author without crashing', () => {
    const svg = renderCover({ title: '', authorName: '', genre: '', genreSlug: '' });
    assert.ok(svg.startsWith('<svg') && svg.endsWith('</svg>'));
    assert.deepEqual(titleLines(svg), []);
  });
});

describe('hostile characters', () => {
  test('control characters are dropped so the SVG stays valid XML', () => {
    const svg = renderCover({ ...book, title: 'x\u0001y\u001fz' });
    assert.doesNotMatch(svg, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    assert.match(svg, />xyz</);
  });

  test('wrapping never cuts an emoji in half', () => {
    const [line] = wrapText(`a${'😀'.repeat(20)}`, 8, 1);
    assert.equal(line, `a${'😀'.repeat(6)}…`);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(line), 'no lone high surrogate');
  });
});
