/**
 * Where Chromium is and how it is launched, kept apart from support.ts (which needs the DOM types)
 * so that scripts/test-e2e.ts can check for the browser without loading the tests.
 */
import { accessSync, constants } from 'node:fs';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
];

/**
 * Whether this machine can run the browser tests. Without Chromium they are skipped with one line
 * saying how to enable them; in CI (CI=true), where .ci/run installs it, a missing browser fails.
 */
export function browserSkipReason(): string | false {
  try {
    accessSync(chromiumPath, constants.X_OK);
    return false;
  } catch {
    const message = `no Chromium at ${chromiumPath}: apt-get install -y chromium (or set CHROMIUM_PATH) to run the browser tests`;
    if (process.env.CI === 'true') throw new Error(message);
    return message;
  }
}
