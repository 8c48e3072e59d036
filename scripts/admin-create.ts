/**
 * `npm run admin:create -- --email owner@example.com [--name "Ana Owner"]`
 * Creates an admin account, or promotes an existing account to admin. A new account's password is
 * read from ADMIN_PASSWORD or from standard input (one line), never from the command line, where it
 * would land in the shell history and the process list.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { migrate } from '../db/migrate';
import { createAccountService } from '../services/accounts';
import { emailSchema, passwordSchema } from '../validation/account';
import { runWithDatabase } from './with-database';

const USAGE = 'usage: npm run admin:create -- --email you@example.com [--name "Your Name"]';

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stdout : undefined, terminal: false });
  try {
    if (process.stdin.isTTY) process.stdout.write('Password for the new admin (at least 10 characters): ');
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

let args;
try {
  args = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } }, strict: true }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const email = emailSchema.safeParse(args.email ?? '');
if (!email.success) {
  console.error(`admin:create: ${email.error.issues[0].message}\n${USAGE}`);
  process.exit(2);
}

runWithDatabase('admin:create', async (db, target, config) => {
  await migrate(db.sequelize);
  const accounts = createAccountService(db, config.passwordHashCost);
  const by = { id: null, email: 'npm run admin:create' };
  let outcome = await accounts.ensureAdmin({ email: email.data, name: args.name }, by);
  if (outcome === 'needs_password') {
    const password = passwordSchema.safeParse(await readPassword());
    if (!password.success) throw new Error(`password: ${password.error.issues[0].message}`);
    outcome = await accounts.ensureAdmin({ email: email.data, name: args.name, password: password.data }, by);
  }
  const messages = {
    created: `Done: created the admin account ${email.data} (${target}).`,
    promoted: `Done: ${email.data} is now an admin (${target}).`,
    unchanged: `${email.data} is already an admin; nothing changed (${target}).`,
    needs_password: `${email.data} has no account and no password was given; nothing changed.`,
    password_mismatch: `${email.data} has an account with another password; nothing changed.`,
  };
  console.log(messages[outcome]);
});
