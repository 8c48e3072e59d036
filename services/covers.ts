/**
 * Every book gets a generated cover: a colour per genre, the title set in large type and the author
 * underneath. Pure functions of the book's facts, so a cover can be cached until the book changes.
 */
import { escapeXml } from '../lib/xml';

const PALETTES: Record<string, { background: string; accent: string; ink: string }> = {
  'nyt-bestsellers': { background: '#1f3a5f', accent: '#f2c14e', ink: '#ffffff' },
  classics: { background: '#5b2333', accent: '#e8d5b7', ink: '#fdf8f0' },
  'childrens-books': { background: '#f6c445', accent: '#2a6f97', ink: '#1b1b1b' },
  'top-9': { background: '#2d6a4f', accent: '#d8f3dc', ink: '#ffffff' },
  'social-justice': { background: '#7b2cbf', accent: '#ffd166', ink: '#ffffff' },
  fantasy: { background: '#14213d', accent: '#8ecae6', ink: '#f1faee' },
};

const FALLBACK_BACKGROUNDS = ['#3d405b', '#81441d', '#264653', '#6d597a', '#335c67', '#7f5539'];

function paletteFor(genreSlug: string) {
  const known = PALETTES[genreSlug];
  if (known) return known;
  let hash = 0;
  for (const ch of genreSlug) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return { background: FALLBACK_BACKGROUNDS[hash % FALLBACK_BACKGROUNDS.length], accent: '#f4e285', ink: '#ffffff' };
}

/** Greedy word wrap; a word longer than a line is cut, and the last line gets an ellipsis if text is left. */
export function wrapText(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  // Work in code points so an emoji or other astral character is never cut in half.
  const cut = (s: string, n: number) => Array.from(s).slice(0, n).join('');
  const length = (s: string) => Array.from(s).length;
  for (const raw of text.split(/\s+/).filter(Boolean)) {
    const word = length(raw) > width ? `${cut(raw, width - 1)}…` : raw;
    if (!line) line = word;
    else if (length(line) + 1 + length(word) <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines || maxLines < 1) return lines.slice(0, Math.max(0, maxLines));
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${cut(kept[maxLines - 1], width - 1)}…`;
  return kept;
}

export function renderCover(book: { title: string; authorName: string; genre: string; genreSlug: string }): string {
  const { background, accent, ink } = paletteFor(book.genreSlug);
  const long = book.title.length > 40;
  const titleLines = wrapText(book.title, long ? 16 : 13, 6);
  const fontSize = long ? 26 : 32;
  const lineHeight = fontSize * 1.2;
  const titleTop = 200 - ((titleLines.length - 1) * lineHeight) / 2;
  const title = titleLines
    .map((l, i) => `<tspan x="150" y="${(titleTop + i * lineHeight).toFixed(1)}">${escapeXml(l)}</tspan>`)
    .join('');
  const author = escapeXml(wrapText(book.authorName, 24, 1)[0] ?? '');
  const genre = escapeXml(book.genre.toUpperCase());
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 450" width="300" height="450" role="img"',
    ` aria-label="${escapeXml(`Cover of ${book.title} by ${book.authorName}`)}">`,
    `<rect width="300" height="450" fill="${background}"/>`,
    `<rect x="18" y="18" width="264" height="414" fill="none" stroke="${accent}" stroke-width="3"/>`,
    `<text x="150" y="60" fill="${accent}" font-family="Georgia, 'Times New Roman', serif" font-size="13" letter-spacing="3" text-anchor="middle">${genre}</text>`,
    `<text fill="${ink}" font-family="Georgia, 'Times New Roman', serif" font-size="${fontSize}" font-weight="bold" text-anchor="middle">${title}</text>`,
    `<line x1="110" x2="190" y1="340" y2="340" stroke="${accent}" stroke-width="2"/>`,
    `<text x="150" y="380" fill="${ink}" font-family="Helvetica, Arial, sans-serif" font-size="18" text-anchor="middle">${author}</text>`,
    '</svg>',
  ].join('');
}
