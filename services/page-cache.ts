import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { MAX_AGE_MS, type Stamps } from './catalog-cache';

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
 * It is tagged with the stamps read before it was rendered (see services/catalog-cache.ts): the sum
 * of 'catalog' and 'stock', which only grow, so the sum moves whenever either does. A page is served
 * only while its tag is at least the current one and it is younger than MAX_AGE_MS, so every change
 * that bumps a stamp shows at once in every process, and writes behind the app's back within a minute.
 *
 * Bounded by bytes, least recently used first out: search URLs are endless, memory is not.
 */

export const DEFAULT_MAX_BYTES = 12 * 1024 * 1024;

export const SLOT_KINDS = ['token', 'visitor', 'flash'] as const;
export type SlotKind = (typeof SLOT_KINDS)[number];

/** Text cut at markers: `parts[i]`, then what goes in `slots[i]`, then `parts[i + 1]`, and so on. */
export interface Slotted {
  parts: Buffer[];
  slots: SlotKind[];
}

export interface CachedPage extends Slotted {
  /** The parts' bytes together. */
  partBytes: number;
  version: number;
  /** A hash of the stored copy, for the ETag of a hit. */
  tag: string;
  /** The route pattern that rendered it, for the request metrics of a hit. */
  route: string;
}

/**
 * What goes in each kind of slot: bytes, or a fragment with token slots of its own (a fragment
 * rendered once for every visitor without a session, which must still carry each one's token).
 */
export type Filler = Buffer | Slotted;
export type Fillers = { token: Buffer } & Record<Exclude<SlotKind, 'token'>, Filler>;

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

export function createPageCache(readStamps: () => Promise<Stamps>, options: { maxBytes?: number } = {}) {
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

    /** A page rendered with the markers, cut at them (not stored). */
    slotted(html: string): Slotted {
      return split(html, anyMarker);
    },

    /** Stores a page rendered with the markers, unless a newer copy is already there; returns the page either way. */
    set(url: string, version: number, html: string, route: string): CachedPage {
      const { parts, slots } = split(html, anyMarker);
      const partBytes = parts.reduce((sum, part) => sum + part.length, 0);
      const tag = createHash('sha1').update(html).digest('base64url');
      const page: CachedPage = { parts, slots, partBytes, tag, version, route };
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
