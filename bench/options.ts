import { parseArgs } from 'node:util';

export interface BenchOptions {
  durationSeconds: number;
  connections: number[];
  database: 'sqlite' | 'mysql';
  databaseFile?: string;
  /** The database already holds a catalog (e.g. the scale generator's): time only the second start. */
  existing: boolean;
  smoke: boolean;
  build: boolean;
  warmupSeconds: number;
  resultsFile: string;
  /** Run only these scenarios (while working on one); empty means all. */
  only: string[];
  /** Extra flags for the server's node (e.g. --cpu-prof while profiling). */
  nodeFlags: string[];
  /** Extra environment for the server (e.g. LOG_LEVEL=warn, to see what request logs cost). */
  appEnv: Record<string, string>;
}

export const SCENARIOS = ['home', 'category', 'book', 'search', 'books-last-page', 'cart', 'checkout', 'admin-dashboard'];

export const USAGE = `npm run bench -- [options]
  --duration <s>          seconds per scenario and connection level (default 10; smoke 2)
  --connections <n,n>     connection levels (default 10,50; smoke 10)
  --database sqlite|mysql MySQL uses BENCH_MYSQL_URL as given, or a fresh schema on TEST_MYSQL_URL's server
  --database-file <path>  SQLite: use (and keep) this file instead of a fresh one
  --existing              the database is already seeded (e.g. npm run db:seed -- --books 100000)
  --smoke                 a short run to prove the harness works (CI)
  --no-build              skip npm run build (dist/ is current)
  --results <path>        where to write the JSON (default bench/results.json; smoke: bench/results-smoke.json)
  --only <a,b>            only these scenarios: ${SCENARIOS.join(', ')}
  --node-flags "<flags>"  flags for the server's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"`;

export class UsageError extends Error {}

function positiveInteger(value: string, name: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} must be a positive whole number, not "${value}"`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string' },
        connections: { type: 'string' },
        database: { type: 'string' },
        'database-file': { type: 'string' },
        existing: { type: 'boolean', default: false },
        smoke: { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        results: { type: 'string' },
        only: { type: 'string' },
        'node-flags': { type: 'string' },
        env: { type: 'string', multiple: true },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError('');
  const smoke = v.smoke;
  const database = v.database ?? 'sqlite';
  if (database !== 'sqlite' && database !== 'mysql') throw new UsageError(`--database must be sqlite or mysql, not "${database}"`);
  if (v['database-file'] && database !== 'sqlite') throw new UsageError('--database-file is for SQLite; for MySQL set BENCH_MYSQL_URL');
  if (v.existing && !v['database-file'] && !(database === 'mysql' && process.env.BENCH_MYSQL_URL)) {
    throw new UsageError('--existing needs the database to reuse: --database-file <path>, or BENCH_MYSQL_URL with --database mysql');
  }
  const connections = (v.connections ?? (smoke ? '10' : '10,50')).split(',').map((c) => positiveInteger(c.trim(), '--connections'));
  const durationSeconds = positiveInteger(v.duration ?? (smoke ? '2' : '10'), '--duration');
  const only = v.only ? v.only.split(',').map((o) => o.trim()) : [];
  const unknown = only.filter((o) => !SCENARIOS.includes(o));
  if (unknown.length) throw new UsageError(`--only: no scenario ${unknown.join(', ')} (there are ${SCENARIOS.join(', ')})`);
  const appEnv: Record<string, string> = {};
  for (const pair of v.env ?? []) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw new UsageError(`--env takes KEY=VALUE, not "${pair}"`);
    appEnv[match[1]] = match[2];
  }
  return {
    appEnv,
    only,
    nodeFlags: v['node-flags'] ? v['node-flags'].split(/\s+/).filter(Boolean) : [],
    durationSeconds,
    connections,
    database,
    databaseFile: v['database-file'],
    existing: v.existing,
    smoke,
    build: !v['no-build'],
    warmupSeconds: smoke ? 0 : Math.min(3, durationSeconds),
    resultsFile: v.results ?? (smoke ? 'bench/results-smoke.json' : 'bench/results.json'),
  };
}
