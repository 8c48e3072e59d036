/**
 * Turning what a shopper types into full-text queries for SQLite FTS5 and MySQL/MariaDB InnoDB
 * FULLTEXT (boolean mode), so that both databases find the same books.
 */

/** At most this many words of a search are used; more only slow the query down. */
export const SEARCH_MAX_WORDS = 6;

/**
 * InnoDB indexes no word shorter than innodb_ft_min_token_size (3 by default, and read-only while
 * the server runs), so such a word can never be looked up in the index.
 */
export const MIN_INDEXED_WORD_LENGTH = 3;

/**
 * InnoDB's default stopword list (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD, the same on MySQL
 * 8 and MariaDB). These words are left out of the index, so "+the*" would only find words that
 * start with "the" and miss "the" itself. Hard-coded because reading that table needs the PROCESS
 * privilege, which the app's least-privilege user does not have.
 */
const INNODB_STOPWORDS = new Set([
  'a', 'about', 'an', 'are', 'as', 'at', 'be', 'by', 'com', 'de', 'en', 'for', 'from', 'how', 'i', 'in',
  'is', 'it', 'la', 'of', 'on', 'or', 'that', 'the', 'this', 'to', 'was', 'what', 'when', 'where', 'who',
  'will', 'with', 'und', 'www',
]);

export interface SearchWords {
  /** Words the full-text index can answer: each must start a word of the book (prefix match). */
  indexed: string[];
  /**
   * Short words and stopwords. The index cannot find them, so they only narrow what the indexed
   * words found (a case-insensitive substring match). A search made of nothing else ("It") finds
   * the titles that start with its first word, rather than scanning every book for the others.
   */
  filters: string[];
}

/**
 * Splits a search into words of letters, digits and marks. Everything else (quotes, `*`, `-`, `+`,
 * parentheses, `:`, `%`, `_`) separates words, the way both full-text tokenizers split book text,
 * so nothing a shopper types can reach either query language as an operator.
 */
export function searchWords(query: string): SearchWords {
  const words = [
    ...new Set(
      query
        .normalize('NFC')
        .toLowerCase()
        .split(/[^\p{L}\p{M}\p{N}]+/u)
        // A run of combining marks alone is no word: InnoDB reads marks as separators (so +́́́* would
        // match every book) while FTS5 folds them away (so it would match none).
        .filter((w) => /[\p{L}\p{N}]/u.test(w)),
    ),
  ].slice(0, SEARCH_MAX_WORDS);
  // Length as both tokenizers count it: accents and other marks folded away.
  const letters = (w: string) => [...w.normalize('NFD').replace(/\p{M}/gu, '')].length;
  const indexable = (w: string) => letters(w) >= MIN_INDEXED_WORD_LENGTH && !INNODB_STOPWORDS.has(w);
  return { indexed: words.filter(indexable), filters: words.filter((w) => !indexable(w)) };
}

/** FTS5: every word as a quoted prefix term, optionally limited to some columns. */
export function fts5Match(words: readonly string[], columns?: readonly string[]): string {
  // Quoting makes AND/OR/NOT/NEAR plain words; a quote inside is doubled, though searchWords lets none through.
  const terms = words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' AND ');
  return columns ? `{${columns.join(' ')}} : (${terms})` : terms;
}

/** MySQL boolean mode: every word required (+) and matched as a prefix (*). */
export function booleanModeMatch(words: readonly string[]): string {
  if (words.some((w) => /[^\p{L}\p{M}\p{N}]/u.test(w))) throw new Error('boolean-mode words must be letters, marks and digits only');
  return words.map((w) => `+${w}*`).join(' ');
}

/**
 * The author's name as it is copied onto each of their books (Books.authorName), so one full-text
 * index covers title, author and description. Whatever writes Books must fill it with this.
 */
export function authorSearchName(author: { firstName: string; lastName: string }): string {
  return `${author.firstName} ${author.lastName}`.trim();
}
