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
import { createSessionStore, sessionMiddleware } from './middleware/session';
import { createCsrf } from './middleware/csrf';
import { badgeAndMenu, pageLocalsFor, viewLocals } from './middleware/locals';
import { createVisitorFragments, serveCachedPageForVisitor, servePageCache } from './middleware/page-cache';
import { serveCartPage } from './middleware/cart-page';
import { serveCartAdd } from './middleware/cart-add';
import { formBodies } from './middleware/form-bodies';
import { raiseKeptFailure } from './middleware/early-failure';
import { markArrival } from './middleware/arrival';
import { earlyAnswers } from './middleware/early-answer';
import { guestSessions } from './middleware/guest-session';
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
  /**
   * false: a guest's catalog page is answered after the whole chain, as a signed-in visitor's is,
   * instead of by the page cache's first middleware. Only to compare the two answers (tests).
   */
  guestHits?: boolean;
  /**
   * Whether a guest's GET /cart is answered before the middleware chain (middleware/cart-page.ts),
   * outside development; on by default. Off, the chain answers it, as it answers everything else.
   */
  earlyCartPage?: boolean;
  /**
   * Whether a guest's add-to-cart form (POST /cart/items) is answered before the middleware chain
   * (middleware/cart-add.ts), outside development; on by default. Off, the chain answers it.
   */
  earlyCartAdd?: boolean;
}

/** Builds the Express app: middleware, routes and error handling. It never listens (server.ts does). */
export function createApp({ config, db, logger, guestHits = true, earlyCartPage = true, earlyCartAdd = true }: AppDependencies): Express {
  const app = express();
  const metrics = createMetrics(db.sequelize);
  const services = createServices(db, config);
  const csrf = createCsrf(config);
  const sessions = createSessionStore(config, db);

  app.disable('x-powered-by');
  // First of all: the log and the latency metric time each request from here (middleware/arrival.ts).
  app.use(markArrival);
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
  // One request log for the chain and for the answers given before it (page cache hits, a guest's cart page and add).
  const requestLog = createRequestLog(logger);
  // Catalog pages come from the page cache. Not in development, like the view cache: an edited
  // template shows at the next reload. Hits for visitors without a session, and for guests whose
  // session needs nothing of the chain, answer first, before everything below (they set helmet's
  // headers themselves); any other visitor with a session is answered after the session and page
  // locals (serveCachedPageForVisitor).
  const pageCache = config.env !== 'development';
  const fragments = createVisitorFragments(views.library, services.pages);
  const guests = guestSessions(sessions, { secret: config.sessionSecret, maxAgeMs: config.sessionMaxAgeMs });
  if (pageCache) {
    const guestBadge = async (sessionCookie: string): Promise<number | null> => {
      const guest = await guests(sessionCookie);
      // The count as the page locals read it, with the menu: if either fails there, the page shows
      // an empty badge, so here the chain answers.
      return guest && (await badgeAndMenu(services, guest.visitorKey)).count;
    };
    app.use(servePageCache({
      cache: services.pages, fragments, csrfToken: csrf.anonymousToken, securityHeaders, requestLog, metrics,
      guestBadge: guestHits ? guestBadge : undefined,
    }));
  }
  // A guest's cart page (the page after every add) and its adds are answered first too, with the
  // chain's response byte for byte; anything but a plain guest's GET /cart or add goes on down the chain.
  const early = earlyAnswers({ securityHeaders, requestLog, metrics });
  const forms = formBodies();
  if (pageCache && earlyCartPage) {
    app.use(serveCartPage({
      views,
      fragments,
      services,
      guest: guests,
      csrfToken: csrf.anonymousToken,
      flashSecret: config.sessionSecret,
      early,
      metrics,
    }));
  }
  if (pageCache && earlyCartAdd) {
    app.use(serveCartAdd({
      services, guest: guests, forms, validToken: csrf.validGuestToken, flashSecret: config.sessionSecret, early, metrics,
    }));
  }
  app.use(securityHeaders);
  app.use(measureRequests(metrics));
  // One line per request, assets apart, with the X-Request-Id the error page quotes.
  app.use(requestLog.middleware);

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
  // A form body an early answer could not read fails here, where the parser would have failed on it.
  app.use(raiseKeptFailure('form'));
  app.use(forms.middleware);
  app.use(express.json({ limit: '16kb' }));
  app.use(sessionMiddleware(config, sessions));
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
