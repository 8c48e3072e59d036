import type { Server } from 'node:http';
import { ConfigError, loadConfig, loadDotenv } from './config';
import { createLogger } from './logger';
import { connectDatabase, describeCause, describeDatabase, type Database } from './db/connection';
import { migrate } from './db/migrate';
import { seedCatalogIfEmpty } from './db/seed';
import { createApp } from './app';
import { createAccountService } from './services/accounts';

const SHUTDOWN_GRACE_MS = 8000;
/** How long a stopping worker keeps its port while it sends keep-alive clients elsewhere. */
const DRAIN_MS = 1000;

async function main(): Promise<void> {
  loadDotenv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const started = process.hrtime.bigint();

  let db: Database;
  try {
    db = await connectDatabase(config, logger);
    const applied = await migrate(db.sequelize, (m) => logger.info(m));
    if (applied.length) logger.info({ applied }, 'database migrated');
    if (config.seedCatalog) {
      const seeded = await seedCatalogIfEmpty(db);
      if (seeded) logger.info(seeded, 'empty catalog: loaded the bundled books');
    }
  } catch (error) {
    console.error(`Cannot start: database ${describeDatabase(config.database)} is not usable (${describeCause(error)})`);
    process.exit(1);
  }

  if (config.bootstrapAdmin) {
    try {
      const outcome = await createAccountService(db, config.passwordHashCost).ensureAdmin(config.bootstrapAdmin, { id: null, email: 'ADMIN_EMAIL at start' });
      if (outcome === 'needs_password') throw new Error(`${config.bootstrapAdmin.email} has no account yet; set ADMIN_PASSWORD too`);
      if (outcome === 'password_mismatch') {
        throw new Error(`${config.bootstrapAdmin.email} already has an account with another password; promote it with npm run admin:create, or fix ADMIN_PASSWORD`);
      }
      if (outcome !== 'unchanged') logger.info({ email: config.bootstrapAdmin.email }, `admin account ${outcome} from ADMIN_EMAIL`);
    } catch (error) {
      console.error(`Cannot start: ADMIN_EMAIL could not be set up (${error instanceof Error ? error.message : String(error)})`);
      process.exit(1);
    }
  }

  const app = createApp({ config, db, logger });
  const server: Server = app.listen(config.port, config.host, () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logger.info({ port: config.port, host: config.host, database: describeDatabase(config.database), startMs: Math.round(ms) },
      `TheEpicBook is ready on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`);
    process.send?.('ready');
  });
  server.on('error', (error) => {
    console.error(`Cannot start: ${describeCause(error)}`);
    process.exit(1);
  });

  let stopping = false;
  // A keep-alive client (nginx's upstream pool, a browser) that is never idle would keep its
  // connection to a stopping worker until the grace period ends and be cut off mid-request. Once
  // stopping, every response tells the client to close, so its next request goes to another worker.
  server.prependListener('request', (_req, res) => {
    if (stopping) res.setHeader('Connection', 'close');
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.warn('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // server.close() (Node ≥ 19) drops idle keep-alive connections at once, and a client may be sending on
    // one at that instant. Wait a moment first: a connection used meanwhile is closed after its
    // response (above), so only one left idle for the whole moment is dropped.
    setTimeout(() => {
      server.close(async () => {
        await db.close().catch(() => {});
        logger.info('stopped');
        process.exit(0);
      });
    }, DRAIN_MS);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  console.error('Cannot start:', error);
  process.exit(1);
});
