/** Shared scaffolding of the operator commands: read config, connect, run, close, exit with one clear line. */
import { ConfigError, loadConfig, loadDotenv, type Config } from '../config';
import { createLogger } from '../logger';
import { connectDatabase, describeCause, describeDatabase, type Database } from '../db/connection';

export function runWithDatabase(command: string, work: (db: Database, target: string, config: Readonly<Config>) => Promise<void>): void {
  const main = async () => {
    loadDotenv();
    const config = loadConfig();
    const target = describeDatabase(config.database);
    const db = await connectDatabase(config, createLogger({ logLevel: 'silent' })).catch((error: unknown) => {
      throw new Error(`cannot reach ${target}: ${describeCause(error)}`);
    });
    try {
      await work(db, target, config);
    } finally {
      await db.close();
    }
  };
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `${command} failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
