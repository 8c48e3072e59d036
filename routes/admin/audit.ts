import { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../services';
import { paginate } from '../../lib/pagination';
import { parsePage } from '../../validation/common';

const PER_PAGE = 50;
const ENTITY_TYPES = ['book', 'author', 'order', 'user'] as const;
/** A filter value we do not know shows the whole log rather than an error: it is only a view. */
const entityTypeSchema = z.enum(ENTITY_TYPES);

/** Where an entry's subject can be opened, for the kinds of thing that have an admin page. */
function entityUrl(entityType: string, entityId: number | null): string | null {
  if (entityId === null) return null;
  if (entityType === 'book') return `/admin/books/${entityId}/edit`;
  if (entityType === 'author') return `/admin/authors/${entityId}/edit`;
  if (entityType === 'order') return `/admin/orders/${entityId}`;
  return null;
}

/** "2026-11-21 10:04 UTC": the log is read across time zones, so it says which one. */
function whenText(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The audit log: every change an admin made, newest first. Mounted at /admin/audit. */
export function auditRoutes({ admin }: Services): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const filter = entityTypeSchema.safeParse(req.query.entityType);
    const entityType = filter.success ? filter.data : undefined;
    const entries = await admin.audit.listAudit({ page: parsePage(req.query.page), perPage: PER_PAGE, entityType });
    res.render('admin/audit', {
      title: 'Audit log',
      section: 'audit',
      entries: {
        ...entries,
        items: entries.items.map((entry) => ({
          ...entry,
          atIso: entry.at.toISOString(),
          atText: whenText(entry.at),
          entityUrl: entityUrl(entry.entityType, entry.entityId),
        })),
      },
      entityTypes: ENTITY_TYPES.map((type) => ({ value: type, selected: type === entityType })),
      entityType,
      pagination: paginate('/admin/audit', { entityType }, entries.page, entries.pageCount),
    });
  });

  return router;
}
