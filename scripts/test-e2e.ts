/**
 * `npm run test:e2e`: the browser tests in Debian's Chromium. Without a browser they are skipped with
 * one line saying how to enable them, except under CI=true, where .ci/run installs Chromium and a
 * missing one is a failure. They always run on a fresh SQLite file, whatever TEST_DB says.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config';
import { browserSkipReason } from '../test/e2e/browser';

let skip: string | false;
try {
  skip = browserSkipReason();
} catch (error) {
  console.error(`Browser tests cannot run: ${(error as Error).message}`);
  process.exit(1);
}
if (skip) {
  console.log(`Browser tests skipped: ${skip}.`);
  process.exit(0);
}

const dir = path.join(projectRoot, 'test/e2e');
const files = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => path.join(dir, f));
// One file at a time: each runs its own store and Chromium, which is plenty for two cores.
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  cwd: projectRoot,
  stdio: 'inherit',
  env: { ...process.env, TEST_DB: 'sqlite' },
});
process.exit(run.status ?? 1);
