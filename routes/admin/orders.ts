import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Services } from '../../services';
import { ORDER_STATUSES, type OrderStatus } from '../../models/checkout';
import { AppError, NotFoundError } from '../../lib/errors';
import { paginate } from '../../lib/pagination';
import { flash } from '../../middleware/flash';
import { isOrderStatus, type OrderFilter } from '../../services/admin/orders';
import { fieldErrors, idSchema, parsePage, keptStrings } from '../../validation/common';

const ORDERS_PER_PAGE = 25;
const DAY_FORMAT = /^\d{4}-\d{2}-\d{2}$/;
const FILTER_FIELDS = ['status', 'from', 'to'] as const;

const STATUS_LABELS: Record<OrderStatus, string> = {
  placed: 'Placed',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};

/** A calendar day that exists: no 2026-02-30. */
function isRealDay(value: string): boolean {
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const dayField = z
  .string({ error: 'Enter one date, as YYYY-MM-DD.' })
  .trim()
  .refine((v) => v === '' || DAY_FORMAT.test(v), 'Enter the date as YYYY-MM-DD, like 2026-11-21.')
  .refine((v) => !DAY_FORMAT.test(v) || isRealDay(v), 'There is no such day on the calendar.')
  // MySQL's DATETIME starts at year 1000.
  .refine((v) => !DAY_FORMAT.test(v) || v >= '1000-01-01', 'Enter a year from 1000 on.')
  .transform((v) => v || undefined)
  .optional();

/** Empty and "all" both mean every status; anything we do not know is an error, not a silent "all". */
const filterSchema = z
  .object({
    status: z
      .string({ error: 'Choose one status from the list.' })
      .trim()
      .refine((v) => v === '' || v === 'all' || isOrderStatus(v), 'Choose a status from the list.')
      .transform((v) => (isOrderStatus(v) ? v : undefined))
      .optional(),
    from: dayField,
    to: dayField,
  })
  .superRefine((filter, ctx) => {
    // YYYY-MM-DD strings sort like the days they name.
    if (filter.from && filter.to && filter.from > filter.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'The end date must be on or after the start date.' });
    }
  });

const keptFilterValues = (query: unknown) => keptStrings(query, FILTER_FIELDS, 40);

function statusFilterOptions(selected: string | undefined) {
  const current = selected && isOrderStatus(selected) ? selected : 'all';
  return [
    { value: 'all', label: 'All statuses', selected: current === 'all' },
    ...ORDER_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status], selected: current === status })),
  ];
}

async function renderOrder(
  res: Response,
  services: Services,
  id: number,
  extra: { message?: string; errors?: Record<string, string>; chosen?: string } = {},
) {
  const order = await services.admin.orders.getOrder(id);
  const statusOptions = order.nextStatuses.map((status) => ({
    value: status,
    label: status === 'cancelled'
      ? `${STATUS_LABELS[status]} (returns ${order.cancelReturns} ${order.cancelReturns === 1 ? 'copy' : 'copies'} to stock)`
      : STATUS_LABELS[status],
    selected: status === extra.chosen,
  }));
  res.render('admin/order', {
    title: `Order ${order.number}`,
    section: 'orders',
    order,
    statusOptions,
    statusLabel: STATUS_LABELS[order.status],
    message: extra.message,
    errors: extra.errors ?? {},
  });
}

export function orderRoutes(services: Services): Router {
  const router = Router();
  const { orders } = services.admin;

  router.get('/', async (req, res) => {
    const values = keptFilterValues(req.query);
    const parsed = filterSchema.safeParse({
      status: req.query.status,
      from: req.query.from,
      to: req.query.to,
    });
    if (!parsed.success) {
      res.status(400).render('admin/orders', {
        title: 'Orders',
        section: 'orders',
        values,
        errors: fieldErrors(parsed.error),
        message: 'These filters cannot be used. Please correct the highlighted fields.',
        statuses: statusFilterOptions(values.status),
      });
      return;
    }
    const filter: OrderFilter = parsed.data;
    const list = await orders.listOrders(filter, { page: parsePage(req.query.page), perPage: ORDERS_PER_PAGE });
    res.render('admin/orders', {
      title: 'Orders',
      section: 'orders',
      values: { from: filter.from ?? '', to: filter.to ?? '' },
      errors: {},
      statuses: statusFilterOptions(filter.status),
      filtered: Boolean(filter.status || filter.from || filter.to),
      orders: list,
      pagination: paginate('/admin/orders', { status: filter.status, from: filter.from, to: filter.to }, list.page, list.pageCount),
    });
  });

  router.get('/:id', async (req, res) => {
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('We could not find that order.');
    await renderOrder(res, services, id.data);
  });

  router.post('/:id/status', async (req, res) => {
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('We could not find that order.');
    const wanted: unknown = req.body?.status;
    if (!isOrderStatus(wanted)) {
      const why = 'Choose the status to move this order to.';
      res.status(422);
      await renderOrder(res, services, id.data, { message: why, errors: { status: why } });
      return;
    }
    try {
      const change = await orders.changeStatus(req.account!, id.data, wanted);
      const restocked = change.restocked === 1 ? '1 copy went' : `${change.restocked} copies went`;
      flash(res, 'success', change.to === 'cancelled'
        ? `Order ${change.number} is cancelled; ${restocked} back to stock.`
        : `Order ${change.number} is now ${change.to}.`);
      res.redirect(303, `/admin/orders/${change.id}`);
    } catch (error) {
      // Someone else moved the order first, or the move is not allowed: show the order as it is now.
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      res.status(409);
      await renderOrder(res, services, id.data, { message: error.message, chosen: wanted });
    }
  });

  return router;
}
