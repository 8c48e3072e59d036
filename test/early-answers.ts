import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Express } from 'express';
import request, { type Response, type Test } from 'supertest';
import { unsign } from 'cookie-signature';
import { SESSION_COOKIE } from '../middleware/session';
import { FLASH_COOKIE } from '../middleware/flash';
import { csrfFrom } from './helpers';

// What the tests of the answers given before the middleware chain (a guest's cart page, its adds)
// share: a browser's cookies, and a response's headers and bytes exactly as sent.

/** A browser's cookies, kept from each answer's Set-Cookie. */
export class Jar {
  private readonly cookies = new Map<string, string>();

  /** `secret`: what the store signs its session cookie with, to read the session id back. */
  constructor(private readonly secret: string) {}

  keep(res: Response): Response {
    for (const line of (res.headers['set-cookie'] as unknown as string[] | undefined) ?? []) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      if (/Expires=Thu, 01 Jan 1970/.test(line)) this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return res;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  drop(name: string): void {
    this.cookies.delete(name);
  }

  header(without: string[] = []): string {
    return [...this.cookies].filter(([name]) => !without.includes(name)).map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** The session id in the signed session cookie. */
  sid(): string {
    const sid = unsign(decodeURIComponent(this.get(SESSION_COOKIE)!).slice(2), this.secret);
    assert.ok(sid, 'a session cookie signed by the store');
    return sid;
  }
}

const UNCOMPARED = new Set(['date', 'x-request-id']);

/** The headers in the order sent, but those that differ from response to response whoever answers. */
export function headersOf(res: Response, normalise: (name: string, value: string) => string = (_n, v) => v): Array<[string, string]> {
  const raw = (res as unknown as { res: IncomingMessage }).res.rawHeaders;
  const out: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (!UNCOMPARED.has(name)) out.push([name, normalise(name, raw[i + 1])]);
  }
  return out;
}

/** The request, with its response's body kept as the bytes that came (res.body, a Buffer). */
export function asBytes(req: Test): Test {
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

/** The body's bytes (none for HEAD and 304 answers). */
export const bytesOf = (res: Response): Buffer => (Buffer.isBuffer(res.body) ? res.body : Buffer.alloc(0));

/** The value of an early-answer counter (`name`, by outcome) in GET /metrics' text. */
export function outcomeCount(metricsText: string, name: string, outcome: string): number {
  return Number(new RegExp(`^${name}\\{outcome="${outcome}"[^}]*\\} (\\d+)`, 'm').exec(metricsText)?.[1] ?? 0);
}

/** A guest made through `app`: its cookies and form token. */
export interface MadeGuest {
  jar: Jar;
  token: string;
}

/**
 * A guest with a session and `books` in its cart (one copy each unless said), made through `app`,
 * with a valid CSRF cookie and the token of its last page; the adds' message is dropped, so the
 * tests bring their own.
 */
export async function guestThrough(app: Express, secret: string, books: Array<[bookId: number, quantity?: number]>): Promise<MadeGuest> {
  const jar = new Jar(secret);
  const page = jar.keep(await request(app).get('/books?page=2').expect(200));
  const token = csrfFrom(page.text);
  for (const [bookId, quantity] of books) {
    jar.keep(await request(app).post('/cart/items').set('Cookie', jar.header()).type('form')
      .send({ _csrf: token, bookId: String(bookId), quantity: String(quantity ?? 1) }).expect(303));
  }
  jar.drop(FLASH_COOKIE);
  return { jar, token };
}
