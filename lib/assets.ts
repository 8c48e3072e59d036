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

/**
 * A request for an asset URL carrying the version of the file this process serves, which may be
 * cached for good: the URL changes with the file. Any other `v` (made up, or a newer deploy's while
 * an old worker still answers during a rolling restart) must not be: a browser would otherwise keep
 * this process's file under a URL that means other bytes, for a year. Only names spelled as the
 * layout spells them (no '.', '..' or empty segments) are looked at, so the versions kept stay
 * bounded by the files on disk.
 */
export function isCurrentAssetUrl(url: string): boolean {
  const match = /^\/assets\/([^?#]+)\?(?:[^#]*&)?v=([0-9a-f]{12})(?:&|#|$)/.exec(url);
  if (!match) return false;
  let name: string;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    return false;
  }
  if (name.split('/').some((part) => part === '.' || part === '..' || part === '')) return false;
  try {
    return assetUrl(name) === `/assets/${name}?v=${match[2]}`;
  } catch {
    return false; // not a file we version
  }
}
