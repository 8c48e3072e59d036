import { UniqueConstraintError } from 'sequelize';
import type { Database } from '../db/connection';
import { User } from '../models';
import type { Role } from '../models/user';
import { ConflictError } from '../lib/errors';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../lib/passwords';
import { newOwnerKey } from '../lib/keys';

/** The signed-in user as pages and routes see them; never the password hash. */
export interface Account {
  id: number;
  name: string;
  email: string;
  role: Role;
  isAdmin: boolean;
  cartKey: string;
}

function toAccount(user: User): Account {
  return { id: user.id, name: user.name, email: user.email, role: user.role, isAdmin: user.role === 'admin', cartKey: user.cartKey };
}

const emailTaken = () =>
  new ConflictError('email_taken', 'An account with that email already exists. Sign in instead.', {
    email: 'An account with this email already exists.',
  });

export function createAccountService(db: Database) {
  return {
    async register(input: { name: string; email: string; password: string }): Promise<Account> {
      const email = input.email.toLowerCase();
      const passwordHash = await hashPassword(input.password);
      try {
        const user = await db.writeTransaction(async (transaction) => {
          if (await User.findOne({ where: { email }, transaction })) throw emailTaken();
          return User.create({ name: input.name, email, passwordHash, cartKey: newOwnerKey() }, { transaction });
        });
        return toAccount(user);
      } catch (error) {
        // Two sign-ups with one email at the same instant: the unique index decides.
        if (error instanceof UniqueConstraintError) throw emailTaken();
        throw error;
      }
    },

    /** The account for this email and password, or null. Unknown emails cost as much time as wrong passwords. */
    async authenticate(email: string, password: string): Promise<Account | null> {
      const user = await User.findOne({ where: { email: email.toLowerCase() } });
      if (!user) {
        await verifyPassword(password, await decoyPasswordHash());
        return null;
      }
      return (await verifyPassword(password, user.passwordHash)) ? toAccount(user) : null;
    },

    async findAccount(id: number): Promise<Account | null> {
      const user = await User.findByPk(id);
      return user ? toAccount(user) : null;
    },

    /**
     * Makes sure this email belongs to an admin: creates the account (a password is then required)
     * or promotes an existing one. An existing password is never changed here. Without a password,
     * a missing account is reported as 'needs_password' and nothing is created.
     */
    async ensureAdmin(input: { email: string; password?: string; name?: string }): Promise<'created' | 'promoted' | 'unchanged' | 'needs_password'> {
      const email = input.email.trim().toLowerCase();
      const existing = await User.findOne({ where: { email } });
      if (existing) {
        if (existing.role === 'admin') return 'unchanged';
        await existing.update({ role: 'admin' });
        return 'promoted';
      }
      if (!input.password) return 'needs_password';
      await User.create({
        name: input.name?.trim() || 'Store admin',
        email,
        passwordHash: await hashPassword(input.password),
        role: 'admin',
        cartKey: newOwnerKey(),
      });
      return 'created';
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
