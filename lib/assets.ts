import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config';

/**
 * Versioned URLs for the stylesheets and scripts the layout links: `/assets/css/app.css?v=<hash of
 * the file>`. A deploy that changes a file changes its URL, so browsers (told to keep versioned
 * files for a year) fetch the new one at once instead of running old JavaScript against new HTML
 * for up to a week.
 */

/** Where each URL prefix under /assets lives on disk: the same mapping as app.ts and nginx. */
const ROOTS: ReadonlyArray<readonly [prefix: string, dir: string]> = [
  ['vendor/pico/', 'node_modules/@picocss/pico/css'],
  ['', 'public'],
];

const versions = new Map<string, string>();

function fileOf(name: string): string {
  if (name.split('/').some((part) => part === '..' || part === '')) throw new Error(`Not an asset name: ${name}`);
  const [prefix, dir] = ROOTS.find(([p]) => name.startsWith(p))!;
  return path.join(projectRoot, dir, name.slice(prefix.length));
}

/** The URL of an asset (a path under /assets) with its content's version; read once per process. */
export function assetUrl(name: string): string {
  let version = versions.get(name);
  if (version === undefined) {
    version = createHash('sha256').update(readFileSync(fileOf(name))).digest('hex').slice(0, 12);
    versions.set(name, version);
  }
  return `/assets/${name}?v=${version}`;
}

/** A request for a versioned asset URL, which may be cached for good: the URL changes with the file. */
export function isVersionedAsset(url: string): boolean {
  return /[?&]v=[0-9a-f]{12}(?:&|$)/.test(url);
}
