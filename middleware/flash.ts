import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';

export const FLASH_COOKIE = 'epicbook.flash';

export interface Flash {
  type: 'success' | 'error';
  message: string;
}

/** Long enough to follow a redirect on a slow connection, short enough that a copied cookie soon means nothing. */
const FLASH_LIFETIME_MS = 5 * 60 * 1000;
/**
 * Browsers drop a cookie over about 4 kB whole. A message longer than this (a sign-in that lists
 * many books it could not keep) is shortened rather than lost. Counted in the bytes the message takes
 * in the cookie (UTF-8 inside JSON), not in characters: 1500 characters of a non-Latin title are
 * 4.5 kB, 6 kB once in base64, and the browser dropped such a cookie without a word.
 */
const MAX_MESSAGE_BYTES = 2000;
const ELLIPSIS = '…';

/** Bytes a piece of the message adds to the cookie's JSON: UTF-8, with JSON's escapes. */
const encodedBytes = (text: string): number => Buffer.byteLength(JSON.stringify(text)) - 2;

function shortened(message: string): string {
  if (encodedBytes(message) <= MAX_MESSAGE_BYTES) return message;
  const budget = MAX_MESSAGE_BYTES - encodedBytes(ELLIPSIS);
  let out = '';
  let bytes = 0;
  // By code point, so a character outside the BMP is never cut in half.
  for (const character of message) {
    const size = encodedBytes(character);
    if (bytes + size > budget) break;
    out += character;
    bytes += size;
  }
  return `${out}${ELLIPSIS}`;
}
const VERSION = 'f1';

interface Payload {
  t: Flash['type'];
  m: string;
  /** Expiry, ms since the epoch. */
  e: number;
}

function signature(secret: string, body: string): Buffer {
  // A key of its own for flashes, so no other signed value of this app can pass for one.
  return createHmac('sha256', secret).update(`${FLASH_COOKIE}\0${body}`).digest();
}

/** The cookie's value: version, the payload in base64url, and its HMAC. */
export function sealFlash(secret: string, flash: Flash, now = Date.now()): string {
  const payload: Payload = { t: flash.type, m: shortened(flash.message), e: now + FLASH_LIFETIME_MS };
  const body = `${VERSION}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${body}.${signature(secret, body).toString('base64url')}`;
}

/** The flash in a cookie value, or null for anything this app did not sign, or signed too long ago. */
export function openFlash(secret: string, value: string, now = Date.now()): Flash | null {
  const parts = value.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const body = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2], 'base64url');
  const expected = signature(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const { t, m, e } = (payload ?? {}) as Partial<Payload>;
  if ((t !== 'success' && t !== 'error') || typeof m !== 'string' || typeof e !== 'number' || e <= now) return null;
  return { type: t, message: m };
}

const cookieOptions = (res: Response) => ({ httpOnly: true, sameSite: 'lax' as const, secure: res.req.secure, path: '/' });

/** Drops any Set-Cookie this response already carries for the flash, so one response sets it at most once. */
function withoutFlashHeader(res: Response): void {
  const header = res.getHeader('Set-Cookie');
  if (header === undefined) return;
  const kept = (Array.isArray(header) ? header : [String(header)]).filter((line) => !line.startsWith(`${FLASH_COOKIE}=`));
  if (kept.length) res.setHeader('Set-Cookie', kept);
  else res.removeHeader('Set-Cookie');
}

/**
 * Clears the flash cookie in this response, as takeFlash does for a message it shows: also for the
 * cart page's early answer (middleware/cart-page.ts), which opens the message itself (openFlash).
 */
export function clearFlashCookie(res: Response): void {
  withoutFlashHeader(res);
  res.clearCookie(FLASH_COOKIE, cookieOptions(res));
}

/**
 * Sets the message the next page shows, signed with `secret` (replacing one this response set):
 * what flash() does, for a guest's add answered before the chain (middleware/cart-add.ts) too.
 */
export function setFlashCookie(secret: string, res: Response, type: Flash['type'], message: string): void {
  withoutFlashHeader(res);
  res.cookie(FLASH_COOKIE, sealFlash(secret, { type, message }), { ...cookieOptions(res), maxAge: FLASH_LIFETIME_MS });
}

type Flasher = ReturnType<typeof flasher>;

const FLASHER = Symbol('flash');

function flasher(secret: string) {
  return {
    set(res: Response, type: Flash['type'], message: string): void {
      setFlashCookie(secret, res, type, message);
    },
    take(req: Request, res: Response): Flash | null {
      const value = (req.cookies as Record<string, string> | undefined)?.[FLASH_COOKIE];
      if (value === undefined) return null;
      clearFlashCookie(res);
      return openFlash(secret, value);
    },
  };
}

/**
 * One-time messages ("Added … to your cart.") for the page after a redirect. They travel in a
 * short-lived signed cookie of their own rather than in the session, so showing one costs no session
 * write, and neither does a change whose only session news was the message. Mounted after the
 * cookie parser; it gives flash() and takeFlash() the app's secret.
 */
export function flashCookies(secret: string): RequestHandler {
  const shared = flasher(secret);
  return (_req, res, next) => {
    (res as Response & { [FLASHER]?: Flasher })[FLASHER] = shared;
    next();
  };
}

function flasherOf(res: Response): Flasher {
  const found = (res as Response & { [FLASHER]?: Flasher })[FLASHER];
  if (!found) throw new Error('flashCookies() is not mounted before this route');
  return found;
}

/** Sets the message the next page shows (replacing one not shown yet). Views escape it like any other text. */
export function flash(res: Response, type: Flash['type'], message: string): void {
  flasherOf(res).set(res, type, message);
}

/**
 * The message this request brought, if any, with the cookie cleared so it shows once. A cookie that
 * is not ours (forged, tampered with, expired) is cleared too and shows nothing.
 */
export function takeFlash(req: Request, res: Response): Flash | null {
  return flasherOf(res).take(req, res);
}

/** Whether the request brought a flash cookie (valid or not): such a page must not come from or go to the page cache. */
export function hasFlashCookie(req: Request): boolean {
  return (req.cookies as Record<string, string> | undefined)?.[FLASH_COOKIE] !== undefined;
}
