import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { MAX_AGE_MS, type StampRead } from './catalog-cache';
import { MAX_LINE_QUANTITY } from './cart';

/**
 * Rendered catalog pages, kept per process and keyed by URL, served to every visitor.
 *
 * A stored page holds nothing that belongs to one visitor. It is rendered with a marker wherever
 * something per visitor goes, and split there into parts with slots between them:
 * - 'token': the CSRF token of every form;
 * - 'visitor': the header's account links and cart badge (views/partials/header-visitor.hbs);
 * - 'flash': the one-time message above the page (views/partials/flash.hbs).
 * Each response fills the slots for its own visitor (see middleware/page-cache.ts).
 *
 * One more pair of slots is the same for every visitor but not for every moment: the book page's
 * stock, as a count ('stock') and as the most one may add at once ('stockLimit'). Each response
 * fills them with the count read for it (services/stock-counts.ts), so a sale changes no stored page.
 * A page shows at most one book's count (PageStock); whether a book is in stock at all (the add
 * button, the lists) is part of the stored copy, which a sale that sells a book out makes stale
 * through the catalog stamp, and a count that disagrees with it sends the request to a new render.
 *
 * It is tagged with the catalog stamp read before it was rendered (see services/catalog-cache.ts). A
 * page is served only while its tag is at least the current one and it is younger than MAX_AGE_MS, so
 * every change that bumps the stamp shows at once in every process, and writes behind the app's back
 * within a minute.
 *
 * Bounded by bytes, least recently used first out: search URLs are endless, memory is not.
 */

export const DEFAULT_MAX_BYTES = 12 * 1024 * 1024;

export const SLOT_KINDS = ['token', 'visitor', 'flash', 'stock', 'stockLimit'] as const;
export type SlotKind = (typeof SLOT_KINDS)[number];

/** Text cut at markers: `parts[i]`, then what goes in `slots[i]`, then `parts[i + 1]`, and so on. */
export interface Slotted {
  parts: Buffer[];
  slots: SlotKind[];
}

/** The book whose stock a page shows in its stock slots, and whether it was in stock when rendered. */
export interface PageStock {
  bookId: number;
  inStock: boolean;
}

export interface CachedPage extends Slotted {
  /** The parts' bytes together. */
  partBytes: number;
  version: number;
  /** A hash of the stored copy, for the ETag of a hit. */
  tag: string;
  /** The route pattern that rendered it, for the request metrics of a hit. */
  route: string;
  /** Set when the page has stock slots. */
  stock: PageStock | null;
}

/**
 * What goes in each kind of slot: bytes, or a fragment with token slots of its own (a fragment
 * rendered once for every visitor without a session, which must still carry each one's token).
 */
export type Filler = Buffer | Slotted;
export type VisitorFillers = { token: Buffer } & Record<'visitor' | 'flash', Filler>;
export type StockFillers = Record<'stock' | 'stockLimit', Buffer>;
export type Fillers = VisitorFillers & StockFillers;

const EMPTY = Buffer.alloc(0);
const NO_STOCK: StockFillers = { stock: EMPTY, stockLimit: EMPTY };

/** What the stock slots show for a count: the count, and the quantity field's maximum. */
export function stockTexts(count: number): Record<'stock' | 'stockLimit', string> {
  return { stock: String(count), stockLimit: String(Math.min(count, MAX_LINE_QUANTITY)) };
}

/** Whether a count is in stock, as the catalog says it (services/catalog.ts, inStock). */
const inStock = (count: number): boolean => count > 0;

/** The key is a string (one or two bytes a character in V8; two never undercounts), the parts are bytes. */
const bytesOf = (page: CachedPage, key: string): number =>
  2 * key.length + page.partBytes + 64 * page.parts.length;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Appends `slotted` with its slots filled; a fragment's own slots can only be tokens (see fragment()). */
function pushPieces(out: Buffer[], slotted: Slotted, fillers: Fillers): void {
  const { parts, slots } = slotted;
  for (let i = 0; i < parts.length; i += 1) {
    if (i > 0) {
      const filler = fillers[slots[i - 1]];
      if (Buffer.isBuffer(filler)) {
        if (filler.length > 0) out.push(filler);
      } else {
        pushPieces(out, filler, fillers);
      }
    }
    if (parts[i].length > 0) out.push(parts[i]);
  }
}

export interface PageCacheSources {
  /** The catalog stamp (services/catalog-cache.ts createStampReader). */
  readStamp: StampRead;
  /** A book's current stock, undefined for no such book (services/stock-counts.ts createStockReader). */
  readStock: (bookId: number) => Promise<number | undefined>;
}

export function createPageCache({ readStamp, readStock }: PageCacheSources, options: { maxBytes?: number } = {}) {
  const pages = new LRUCache<string, CachedPage>({
    maxSize: options.maxBytes ?? DEFAULT_MAX_BYTES,
    sizeCalculation: bytesOf,
    ttl: MAX_AGE_MS,
  });
  // Random per process, so no page content (a search query, a title, a shopper's name) can contain
  // one by accident or design.
  const nonce = randomBytes(16).toString('hex');
  const markers: Readonly<Record<SlotKind, string>> = {
    token: `csrf-${nonce}`,
    visitor: `visitor-${nonce}`,
    flash: `flash-${nonce}`,
    stock: `stock-${nonce}`,
    stockLimit: `stock-limit-${nonce}`,
  };
  const kindOf = new Map<string, SlotKind>(SLOT_KINDS.map((kind) => [markers[kind], kind]));
  const anyMarker = new RegExp(`(${SLOT_KINDS.map((kind) => escapeRegExp(markers[kind])).join('|')})`);
  const tokenMarker = new RegExp(`(${escapeRegExp(markers.token)})`);

  function split(html: string, marker: RegExp): Slotted {
    // With the capturing group, split alternates text and the marker found: text, marker, text, ...
    const pieces = html.split(marker);
    const parts: Buffer[] = [];
    const slots: SlotKind[] = [];
    pieces.forEach((piece, i) => {
      if (i % 2 === 0) parts.push(Buffer.from(piece));
      else slots.push(kindOf.get(piece)!);
    });
    return { parts, slots };
  }

  return {
    /** Where each kind of per-visitor content goes in a page rendered for the cache. */
    markers,
    /** The token marker (as markers.token). */
    placeholder: markers.token,

    /** The version a page rendered now would be tagged with; null (never cache) without the stamp row. */
    version(): Promise<number | null> {
      return readStamp();
    },

    /**
     * The current count for a stored page's stock slots, read after this call (never older than the
     * request). Undefined when the stored copy no longer fits it — the book is gone, or has sold out
     * or come back since the render — so the page must be rendered afresh. Rejects when the read fails.
     */
    async stockCount(stock: PageStock): Promise<number | undefined> {
      const count = await readStock(stock.bookId);
      return count === undefined || inStock(count) !== stock.inStock ? undefined : count;
    },

    /** The stock slots' fillers for `count`; empty for a page without any (null). */
    stockFillers(count: number | null): StockFillers {
      if (count === null) return NO_STOCK;
      const texts = stockTexts(count);
      return { stock: Buffer.from(texts.stock), stockLimit: Buffer.from(texts.stockLimit) };
    },

    /** The page stored for `url`, unless it is older than `version`. */
    get(url: string, version: number): CachedPage | undefined {
      const page = pages.get(url);
      return page && page.version >= version ? page : undefined;
    },

    /** A page rendered with the markers, cut at them (not stored). */
    slotted(html: string): Slotted {
      return split(html, anyMarker);
    },

    /**
     * Stores a page rendered with the markers, unless a newer copy is already there; returns the page
     * either way. `stockOf` is the book whose count went in its stock markers, with that count.
     */
    set(url: string, version: number, html: string, route: string, stockOf: { bookId: number; count: number } | null = null): CachedPage {
      const { parts, slots } = split(html, anyMarker);
      if (!stockOf && slots.some((slot) => slot === 'stock' || slot === 'stockLimit')) {
        throw new Error(`${url}: a page with stock slots needs the book they show`);
      }
      const partBytes = parts.reduce((sum, part) => sum + part.length, 0);
      const tag = createHash('sha1').update(html).digest('base64url');
      const stock = stockOf && { bookId: stockOf.bookId, inStock: inStock(stockOf.count) };
      const page: CachedPage = { parts, slots, partBytes, tag, version, route, stock };
      const current = pages.peek(url);
      if (!current || current.version <= version) pages.set(url, page);
      return page;
    },

    /**
     * A fragment for a slot, rendered with the token marker for its token: only token slots are cut,
     * so a fragment can never pull in another fragment (or itself).
     */
    fragment(html: string): Slotted {
      return split(html, tokenMarker);
    },

    /** The page's bytes in order, with each slot filled, for writing one after another. */
    pieces(page: Slotted, fillers: Fillers): Buffer[] {
      const out: Buffer[] = [];
      pushPieces(out, page, fillers);
      return out;
    },

    /** The page as one buffer, with each slot filled. */
    fill(page: Slotted, fillers: Fillers): Buffer {
      const out: Buffer[] = [];
      pushPieces(out, page, fillers);
      return Buffer.concat(out);
    },

    stats(): { pages: number; bytes: number } {
      return { pages: pages.size, bytes: pages.calculatedSize };
    },
  };
}

export type PageCache = ReturnType<typeof createPageCache>;
