import type { IncomingHttpHeaders } from 'node:http';

/**
 * What one simulated browser keeps between requests: its cookies and the last CSRF token a page
 * gave it. Pure string handling, so the scenarios stay readable and this part can be unit-tested.
 */
export class Visitor {
  private readonly cookies = new Map<string, string>();
  csrfToken: string | null = null;

  /** The Cookie header to send, or undefined when the visitor has none yet. */
  cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Takes in the Set-Cookie headers of a response (autocannon gives one string or an array). */
  remember(headers: IncomingHttpHeaders | Record<string, unknown> | undefined): void {
    for (const line of headerValues(headers, 'set-cookie')) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // An expired or emptied cookie is the server deleting it.
      if (value === '' || /;\s*max-age=0\b/i.test(line) || /;\s*expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Keeps the page's form token, if it has one. */
  readToken(html: string): void {
    const token = csrfTokenIn(html);
    if (token) this.csrfToken = token;
  }

  forget(): void {
    this.cookies.clear();
    this.csrfToken = null;
  }
}

/** Every value of one response header, whatever its case and whether it came once or many times. */
export function headerValues(headers: IncomingHttpHeaders | Record<string, unknown> | undefined, name: string): string[] {
  if (!headers) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (Array.isArray(value)) found.push(...value.map(String));
    else if (value !== undefined) found.push(String(value));
  }
  return found;
}

export function csrfTokenIn(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

/** An application/x-www-form-urlencoded body. */
export function formBody(fields: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
}
