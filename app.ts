import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { projectRoot, type Config } from './config';
import type { Database } from './db/connection';
import type { Logger } from './logger';
import { createServices } from './services';
import { viewHelpers } from './lib/view-helpers';
import { createViews } from './lib/view-engine';
import { isCurrentAssetUrl } from './lib/assets';
import { sessionMiddleware } from './middleware/session';
import { createCsrf } from './middleware/csrf';
import { pageLocalsFor, viewLocals } from './middleware/locals';
import { createVisitorFragments, serveCachedPageForVisitor, servePageCache } from './middleware/page-cache';
import { plainCookies } from './middleware/cookies';
import { flashCookies } from './middleware/flash';
import { errorHandler, notFound } from './middleware/errors';
import { healthRoutes } from './routes/health';
import { coverRoutes, shopRoutes } from './routes/shop';
import { cartRoutes } from './routes/cart';
import { checkoutRoutes } from './routes/checkout';
import { accountRoutes } from './routes/account';
import { adminRoutes } from './routes/admin';
import { apiRoutes } from './routes/api';
import { loadAccount, requireAdmin } from './middleware/auth';
import { adminMultipart } from './middleware/uploads';
import { createMetrics } from './lib/metrics';
import { measureRequests, metricsRoute } from './middleware/metrics';
import { createRequestLog } from './middleware/request-log';

export interface AppDependencies {
  config: Readonly<Config>;
  db: Database;
  logger: Logger;
}

/** Builds the Express app: middleware, routes and error handling. It never listens (server.ts does). */
export function createApp({ config, db, logger }: AppDependencies): Express {
  const app = express();
  const metrics = createMetrics(db.sequelize);
  const services = createServices(db, config);
  const csrf = createCsrf(config);

  app.disable('x-powered-by');
  // nginx on the same host is the only proxy we trust for X-Forwarded-* headers.
  app.set('trust proxy', 'loopback');
  // Outside development every template is compiled once, at start; in development each render reads
  // them again, so an edited template shows at the next reload.
  const viewCache = config.env !== 'development';
  const views = createViews({ viewsDir: path.join(projectRoot, 'views'), helpers: viewHelpers, cache: viewCache });
  app.engine('hbs', views.engine);
  app.set('view engine', 'hbs');
  app.set('views', path.join(projectRoot, 'views'));
  if (viewCache) app.enable('view cache');

  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Upgrading would break form posts on a plain-HTTP host; TLS set-ups redirect in nginx.
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: false,
  });
  // Catalog pages come from the page cache. Not in development, like the view cache: an edited
  // template shows at the next reload. Hits for visitors without a session answer first, before
  // everything below (they set helmet's headers themselves); visitors with a session are answered
  // after the session and page locals (serveCachedPageForVisitor).
  const pageCache = config.env !== 'development';
  const fragments = createVisitorFragments(views.library, services.pages);
  if (pageCache) {
    app.use(servePageCache({ cache: services.pages, fragments, csrfToken: csrf.anonymousToken, securityHeaders, logger, metrics }));
  }
  app.use(securityHeaders);
  app.use(measureRequests(metrics));
  // One line per request, assets apart, with the X-Request-Id the error page quotes.
  app.use(createRequestLog(logger).middleware);

  const staticOptions = {
    maxAge: config.isProduction ? '7d' : 0,
    index: false as const,
    // The layout links versioned URLs (lib/assets.ts): those never change, so browsers may keep them.
    setHeaders: (res: express.Response) => {
      if (config.isProduction && isCurrentAssetUrl(res.req.originalUrl)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  };
  app.use('/assets/vendor/pico', express.static(path.join(projectRoot, 'node_modules/@picocss/pico/css'), staticOptions));
  app.use('/assets', express.static(path.join(projectRoot, 'public'), staticOptions));
  app.use(healthRoutes(db.sequelize));
  app.use(metricsRoute(metrics));
  app.use(coverRoutes(services));

  app.use(plainCookies());
  app.use(flashCookies(config.sessionSecret));
  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  app.use(express.json({ limit: '16kb' }));
  app.use(sessionMiddleware(config, db));
  app.use(loadAccount(services));
  // Page locals first, so even the admin gate's 403 page has a working header (sign-out needs a token).
  // They are loaded when a page is rendered, so a POST that only redirects reads none of them.
  app.use(viewLocals(services, csrf.token, logger));
  if (pageCache) {
    // Visitors with a session (a cart, an account) get cached catalog pages too, with their own header
    // and message rendered from the locals: no catalog queries, no full render. A catalog page the
    // cache may answer or store needs its locals first (a render whose menu failed is not stored).
    app.use(pageLocalsFor((res) => res.locals.cacheablePage !== undefined || res.locals.pendingPage !== undefined));
    app.use(serveCachedPageForVisitor(services.pages));
  }
  // The API checks its own writes (JSON bodies, a CSRF header when a session cookie comes along).
  app.use('/api', apiRoutes(services, metrics, csrf));
  // The admin gate comes before the CSRF check so that only an admin's upload is ever parsed.
  app.use('/admin', requireAdmin, adminMultipart);
  app.use(csrf.protect);

  app.use(shopRoutes(services));
  app.use(cartRoutes(services, metrics));
  app.use(checkoutRoutes(services, metrics));
  app.use(accountRoutes(services));
  app.use('/admin', adminRoutes(services));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
