import { Op, UniqueConstraintError, col, fn, where } from 'sequelize';
import type { Database } from '../db/connection';
import { Cart, Checkout, User } from '../models';
import { recordAudit, type Actor } from './audit';
import type { Role } from '../models/user';
import { ConflictError } from '../lib/errors';
import { decoyPasswordHash, hashPassword, verifyPassword, type ScryptCost } from '../lib/passwords';
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

export function createAccountService(db: Database, cost: ScryptCost) {
  return {
    async register(input: { name: string; email: string; password: string }): Promise<Account> {
      const email = input.email.toLowerCase();
      const passwordHash = await hashPassword(input.password, cost);
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
        await verifyPassword(password, await decoyPasswordHash(cost));
        return null;
      }
      return (await verifyPassword(password, user.passwordHash)) ? toAccount(user) : null;
    },

    /**
     * The signed-in account, read on every request a signed-in shopper makes: one plain statement
     * rather than the model pipeline. Not cached, so a demoted or removed account loses its rights
     * at its next request, on every worker.
     */
    async findAccount(id: number): Promise<Account | null> {
      const row = await db.sql().one<{ id: number; name: string; email: string; role: Role; cartKey: string }>(
        'SELECT id, name, email, role, cartKey FROM Users WHERE id = ?',
        [id],
      );
      if (!row) return null;
      return { id: Number(row.id), name: row.name, email: row.email, role: row.role, isAdmin: row.role === 'admin', cartKey: row.cartKey };
    },

    /**
     * Makes sure this email belongs to an admin, recording who asked (`by`) in the audit log.
     * - No account yet: creates one, which needs a password ('needs_password' otherwise).
     * - An account exists: promotes it. When a password is given it must be that account's password
     *   ('password_mismatch' otherwise), so a stranger who registered the email first is not made
     *   admin by an operator's ADMIN_EMAIL. An existing password is never changed here.
     */
    async ensureAdmin(
      input: { email: string; password?: string; name?: string },
      by: Actor,
    ): Promise<'created' | 'promoted' | 'unchanged' | 'needs_password' | 'password_mismatch'> {
      const email = input.email.trim().toLowerCase();
      const existing = await User.findOne({ where: { email } });
      if (existing && input.password && !(await verifyPassword(input.password, existing.passwordHash))) return 'password_mismatch';
      if (existing?.role === 'admin') return 'unchanged';
      if (!existing && !input.password) return 'needs_password';
      const passwordHash = existing ? null : await hashPassword(input.password!, cost);
      return db.writeTransaction(async (transaction) => {
        let user: User;
        if (existing) {
          await existing.update({ role: 'admin' }, { transaction });
          user = existing;
        } else {
          user = await User.create({ name: input.name?.trim() || 'Store admin', email, passwordHash: passwordHash!, role: 'admin', cartKey: newOwnerKey() }, { transaction });
        }
        const outcome = existing ? 'promoted' : 'created';
        await recordAudit(transaction, by, {
          action: `user.admin_${outcome}`,
          entityType: 'user',
          entityId: user.id,
          summary: `${existing ? 'Made' : 'Created'} ${email} ${existing ? 'an admin' : 'as an admin'}`,
        });
        return outcome;
      });
    },

    /**
     * A guest's past orders join the account they sign in to, so its history and order pages show
     * them; but only orders shipped to the account's own email. A browser is not a person: on a
     * shared computer, the previous guest's orders (and their address) must not join whoever signs
     * in next.
     */
    async claimGuestOrders(guestKey: string, userId: number): Promise<number> {
      const carts = await Cart.findAll({ where: { ownerKey: guestKey, status: 'ordered' }, attributes: ['id'] });
      if (carts.length === 0) return 0;
      const [claimed] = await db.writeTransaction(async (transaction) => {
        const user = await User.findByPk(userId, { attributes: ['email'], transaction });
        if (!user) return [0];
        return Checkout.update({ UserId: userId }, {
          where: {
            UserId: null,
            CartId: { [Op.in]: carts.map((c) => c.id) },
            // Account emails are stored lower-cased; a shipping email is kept as it was typed.
            [Op.and]: [where(fn('LOWER', col('email')), user.email)],
          },
          transaction,
        });
      });
      return claimed;
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
