import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { MAX_AGE_MS, type Stamps } from './catalog-cache';

/**
 * Rendered catalog pages for visitors without a session, kept per process and keyed by URL.
 *
 * A stored page holds nothing that belongs to one visitor: it is rendered with a placeholder where
 * the CSRF token goes, and every response puts its own visitor's token there. It is tagged with the
 * stamps read before it was rendered (see services/catalog-cache.ts): the sum of 'catalog' and
 * 'stock', which only grow, so the sum moves whenever either does. A page is served only while its
 * tag is at least the current one and it is younger than MAX_AGE_MS, so every change that bumps a
 * stamp shows at once in every process, and writes behind the app's back within a minute.
 *
 * Bounded by bytes, least recently used first out: search URLs are endless, memory is not.
 */

export const DEFAULT_MAX_BYTES = 12 * 1024 * 1024;

export interface CachedPage {
  /** The page split at the token placeholder, encoded once: joining the parts with a token gives the page. */
  parts: Buffer[];
  /** The parts' bytes together, for the Content-Length. */
  partBytes: number;
  version: number;
  /** A hash of the stored copy, for the ETag of a hit. */
  tag: string;
  /** The route pattern that rendered it, for the request metrics of a hit. */
  route: string;
}

/** The key is a string (one or two bytes a character in V8; two never undercounts), the parts are bytes. */
const bytesOf = (page: CachedPage, key: string): number =>
  2 * key.length + page.partBytes + 64 * page.parts.length;

export function createPageCache(readStamps: () => Promise<Stamps>, options: { maxBytes?: number } = {}) {
  const pages = new LRUCache<string, CachedPage>({
    maxSize: options.maxBytes ?? DEFAULT_MAX_BYTES,
    sizeCalculation: bytesOf,
    ttl: MAX_AGE_MS,
  });
  // Random per process, so no page content (a search query, a title) can contain it by accident or design.
  const placeholder = `csrf-${randomBytes(16).toString('hex')}`;

  return {
    placeholder,

    /** The version a page rendered now would be tagged with; null (never cache) without both stamp rows. */
    async version(): Promise<number | null> {
      const { catalog, stock } = await readStamps();
      return catalog === null || stock === null ? null : catalog + stock;
    },

    /** The page stored for `url`, unless it is older than `version`. */
    get(url: string, version: number): CachedPage | undefined {
      const page = pages.get(url);
      return page && page.version >= version ? page : undefined;
    },

    /** Stores a page rendered with the placeholder as its token, unless a newer copy is already there. */
    set(url: string, version: number, html: string, route: string): void {
      const current = pages.peek(url);
      if (current && current.version > version) return;
      const parts = html.split(placeholder).map((part) => Buffer.from(part));
      const tag = createHash('sha1').update(html).digest('base64url');
      pages.set(url, { parts, partBytes: parts.reduce((sum, part) => sum + part.length, 0), tag, version, route });
    },

    /** The byte length of the page filled with a token of `tokenBytes` bytes. */
    bodyLength(page: CachedPage, tokenBytes: number): number {
      return page.partBytes + (page.parts.length - 1) * tokenBytes;
    },

    /** The page with this visitor's token in place of the placeholder. */
    fill(page: CachedPage, token: string): Buffer {
      const filler = Buffer.from(token);
      const pieces: Buffer[] = [];
      page.parts.forEach((part, i) => {
        if (i > 0) pieces.push(filler);
        pieces.push(part);
      });
      return Buffer.concat(pieces);
    },

    stats(): { pages: number; bytes: number } {
      return { pages: pages.size, bytes: pages.calculatedSize };
    },
  };
}

export type PageCache = ReturnType<typeof createPageCache>;
