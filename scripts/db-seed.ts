/**
 * `npm run db:seed`: migrates, then loads the bundled catalog if the store has no books yet.
 * `npm run db:seed -- --books 100000 --orders 200000 [--authors N] [--seed N]` then adds a generated
 * catalog and order history on top, for measuring the store at scale.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SingleBar, Presets } from 'cli-progress';
import { migrate } from '../db/migrate';
import { seedCatalogIfEmpty } from '../db/seed';
import { canGenerateInto, generateCatalog, type Progress } from '../db/generate/catalog';
import { runWithDatabase } from './with-database';

const count = (max: number) => z.coerce.number().int('must be a whole number').min(0, 'must not be negative').max(max, `must be at most ${max}`);

const argsSchema = z.object({
  books: count(5_000_000).optional(),
  orders: count(20_000_000).default(0),
  authors: count(5_000_000).min(1, 'must be at least 1').optional(),
  seed: count(2 ** 31 - 1).default(20_260_101),
});

function readArgs() {
  const { values } = parseArgs({
    options: { books: { type: 'string' }, orders: { type: 'string' }, authors: { type: 'string' }, seed: { type: 'string' } },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n');
    console.error(`db:seed: invalid options\n${problems}`);
    process.exit(2);
  }
  return parsed.data;
}

/** A progress bar on stderr (stdout stays for the summary), one phase at a time. */
function progressBar(): Progress {
  const bar = new SingleBar(
    { format: '{phase} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 5000 },
    Presets.shades_classic,
  );
  let running = false;
  return {
    phase(name, total) {
      if (running) bar.stop();
      bar.start(total, 0, { phase: name.padEnd(28) });
      running = true;
    },
    advance: (rows) => bar.increment(rows),
    done() {
      if (running) bar.stop();
      running = false;
    },
  };
}

let args: ReturnType<typeof readArgs>;
try {
  args = readArgs();
} catch (error) {
  console.error(`db:seed: ${(error as Error).message}`);
  process.exit(2);
}

runWithDatabase('db:seed', async (db, target) => {
  console.log(`Seeding ${target}`);
  await migrate(db.sequelize, (m) => console.log(`  ${m}`));
  const seeded = await seedCatalogIfEmpty(db);
  console.log(seeded ? `Done: loaded ${seeded.books} books by ${seeded.authors} authors.` : 'Done: the store already has books; nothing changed.');
  if (args.books === undefined && args.orders === 0) return;

  const books = args.books ?? 0;
  const authors = args.authors ?? Math.ceil(books / 5);
  const refused = await canGenerateInto(db);
  if (refused) throw new Error(refused);
  const started = Date.now();
  const report = await generateCatalog(db, { books, orders: args.orders, authors, seed: args.seed }, progressBar());
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`Generated ${report.books} books by ${report.authors} authors, ${report.users} accounts and ${report.orders} orders (${report.lines} lines) in ${seconds} s (seed ${args.seed}).`);
});
