import type { Transaction } from 'sequelize';
import { AuditLog } from '../models';
import { bumpCatalogStamp } from './catalog-cache';
import type { Page } from './catalog';
import { pageSlice } from '../lib/pagination';

/** Who made a change, as the audit log records them: an admin, or (id null) the system, e.g. "ADMIN_EMAIL at start". */
export interface Actor {
  id: number | null;
  email: string;
}

export interface AuditEntry {
  action: string;
  entityType: 'book' | 'author' | 'order' | 'user';
  entityId: number | null;
  summary: string;
  details?: Record<string, unknown>;
}

export interface AuditView {
  id: number;
  at: Date;
  actorEmail: string;
  action: string;
  entityType: string;
  entityId: number | null;
  summary: string;
  details: string | null;
}

/**
 * Writes one entry inside the change's own transaction: no change without its entry, no entry without its change.
 * A change to a book, an author or an order (a cancellation returns stock) may change what shoppers
 * see, so it also marks every process's catalog cache stale, in the same transaction.
 */
export async function recordAudit(transaction: Transaction, actor: Actor, entry: AuditEntry): Promise<void> {
  if (entry.entityType !== 'user') await bumpCatalogStamp(transaction);
  await AuditLog.create({
    UserId: actor.id,
    actorEmail: actor.email,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    summary: entry.summary.slice(0, 500),
    details: entry.details ? JSON.stringify(entry.details) : null,
  }, { transaction });
}

/** Newest first, optionally for one entity (a book's history, say). */
export async function listAudit(options: { page: number; perPage: number; entityType?: string; entityId?: number }): Promise<Page<AuditView>> {
  const where = {
    ...(options.entityType ? { entityType: options.entityType } : {}),
    ...(options.entityId ? { entityId: options.entityId } : {}),
  };
  const total = await AuditLog.count({ where });
  const { page, pageCount, offset } = pageSlice(total, options.page, options.perPage);
  const rows = await AuditLog.findAll({
    where,
    order: [['createdAt', 'DESC'], ['id', 'DESC']],
    limit: options.perPage,
    offset,
  });
  const items = rows.map((row): AuditView => ({
    id: row.id,
    at: row.createdAt,
    actorEmail: row.actorEmail,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    summary: row.summary,
    details: row.details,
  }));
  return { items, page, pageCount, total, perPage: options.perPage };
}
