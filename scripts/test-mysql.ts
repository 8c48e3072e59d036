/**
 * The second pass of `npm test`: every integration test again, on MySQL/MariaDB (TEST_MYSQL_URL).
 * Without TEST_MYSQL_URL it says how to enable it and passes, except under CI=true, where a missing
 * database is a failure: CI must prove both databases.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config';

if (!process.env.TEST_MYSQL_URL) {
  if (process.env.CI === 'true') {
    console.error('TEST_MYSQL_URL is not set, and CI must run the suite on MySQL/MariaDB too (see README: "Tests on MySQL").');
    process.exit(1);
  }
  console.log('MySQL pass skipped: start one with eval "$(scripts/mariadb-test-server.sh start)" and run npm test again.');
  process.exit(0);
}

const dir = path.join(projectRoot, 'test/integration');
const files = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => path.join(dir, f));
console.log(`MySQL pass: ${files.length} integration test files against ${new URL(process.env.TEST_MYSQL_URL).host}`);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  cwd: projectRoot,
  stdio: 'inherit',
  env: { ...process.env, TEST_DB: 'mysql' },
});
process.exit(run.status ?? 1);
