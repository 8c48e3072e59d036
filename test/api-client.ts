import type { Express } from 'express';
import request, { type Response } from 'supertest';
import type { ApiContract } from './api-contract';

/**
 * A JSON API client with a cookie jar, like a script that keeps its cookies: it learns its CSRF
 * token from cart answers and sends it on writes unless told otherwise. Every answer is checked
 * against the OpenAPI document.
 */
export class ApiClient {
  readonly agent: ReturnType<typeof request.agent>;
  token = '';

  constructor(app: Express, private readonly api: ApiContract) {
    this.agent = request.agent(app);
  }

  private remember(res: Response): Response {
    if (res.status < 300 && typeof res.body?.csrfToken === 'string') this.token = res.body.csrfToken;
    return res;
  }

  /** GET `url`, checked as `path` (the document's template); resolves to the body. */
  async get(path: string, url: string, status: number): Promise<any> {
    const res = this.remember(await this.agent.get(url));
    if (res.status !== status) throw new Error(`GET ${url} answered ${res.status}, not ${status}: ${res.text.slice(0, 300)}`);
    return this.api.check('GET', path, res);
  }

  /** A JSON write with the remembered token (or `token`, or none when it is null). */
  async send(method: 'post' | 'patch' | 'delete', path: string, url: string, body: unknown, status: number, token: string | null = this.token): Promise<any> {
    let req = this.agent[method](url);
    if (token !== null) req = req.set('X-CSRF-Token', token);
    const res = this.remember(await (body === undefined ? req : req.set('Content-Type', 'application/json').send(JSON.stringify(body))));
    if (res.status !== status) throw new Error(`${method.toUpperCase()} ${url} answered ${res.status}, not ${status}: ${res.text.slice(0, 300)}`);
    return this.api.check(method, path, res);
  }

  /** The raw response of a write, for what `send` cannot say (other media types, headers). */
  raw(method: 'post' | 'patch' | 'delete' | 'put' | 'get', url: string) {
    return this.agent[method](url).set('X-CSRF-Token', this.token);
  }

  add(bookId: unknown, quantity?: unknown, status = 200, token?: string | null) {
    return this.send('post', '/api/cart/items', '/api/cart/items', quantity === undefined ? { bookId } : { bookId, quantity }, status, token);
  }

  cart(): Promise<any> {
    return this.get('/api/cart', '/api/cart', 200);
  }

  check(method: string, path: string, res: Response): any {
    return this.api.check(method, path, res);
  }
}

export function cookieNames(res: Response): string[] {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  return (raw ?? []).map((c) => c.split('=')[0]);
}
