import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** JSON lines to stdout; secrets that might ride along in a request are redacted. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: ['req.headers.cookie', 'res.headers["set-cookie"]', 'password', '*.password'],
      censor: '[redacted]',
    },
  });
}
