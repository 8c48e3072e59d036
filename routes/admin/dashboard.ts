import { Router } from 'express';
import type { Services } from '../../services';
import { renderRevenueChart } from '../../lib/revenue-chart';

/** The dashboard home: today's trade at a glance. Mounted at /admin, behind requireAdmin. */
export function dashboardRoutes({ admin }: Services): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const overview = await admin.dashboard.overview(new Date());
    res.render('admin/dashboard', {
      title: 'Dashboard',
      section: 'dashboard',
      ...overview,
      chartSvg: renderRevenueChart(
        overview.revenueByDay.map((day) => ({ label: day.label, cents: day.revenueCents })),
        `Revenue per day, last ${overview.revenueByDay.length} days`,
      ),
    });
  });

  return router;
}
