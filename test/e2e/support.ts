/**
 * What the browser tests share: the store on a free local port with a fresh SQLite file, Debian's
 * Chromium driven by playwright-core, the skip-or-fail rule, axe-core and screenshots.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { projectRoot } from '../../config';
import { createAccountService } from '../../services/accounts';
import { ADMIN, startTestApp, type TestApp } from '../helpers';
import { LAUNCH_ARGS, browserSkipReason, chromiumPath } from './browser';

export { browserSkipReason };

/** A store and a Chromium for one test file (each file runs its own: Sequelize models are global). */
export async function openStoreAndBrowser(): Promise<{ store: Store; browser: Browser }> {
  const store = await startStore();
  try {
    return { store, browser: await launchBrowser() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export async function closeStoreAndBrowser(store: Store | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await store?.close();
}

export interface Store {
  test: TestApp;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The app as server.ts runs it, on 127.0.0.1 and a port the OS picks, on a fresh database of its own
 * (a temp SQLite file: npm run test:e2e never sets TEST_DB).
 */
export async function startStore(): Promise<Store> {
  const test = await startTestApp();
  const server: Server = await new Promise((resolve, reject) => {
    const listening = test.app.listen(0, '127.0.0.1', () => resolve(listening));
    listening.on('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    test,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await test.close();
    },
  };
}

/** The store's admin account, as ADMIN_EMAIL would create it at start. */
export async function createAdmin(store: Store): Promise<typeof ADMIN> {
  await createAccountService(store.test.db, store.test.config.passwordHashCost).ensureAdmin(ADMIN, { id: null, email: 'e2e setup' });
  return ADMIN;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: LAUNCH_ARGS });
}

export const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/**
 * A browser context whose pages fail the test on a script error or a Content-Security-Policy
 * violation: the app's CSP stays enforced, so a blocked script or style shows up here.
 */
export async function newContext(browser: Browser, baseUrl: string, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const problems: string[] = [];
  context.on('page', (page) => watch(page, problems));
  const page = await context.newPage();
  return { context, page, problems };
}

function watch(page: Page, problems: string[]): void {
  page.on('pageerror', (error) => problems.push(`script error on ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    // A page answered with 4xx (a form with mistakes is a 422) is logged as a failed load: that is
    // the app working. Failed images, styles and scripts are caught below instead.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console error on ${page.url()}: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'document') {
      problems.push(`${response.url()} answered ${response.status()} on ${page.url()}`);
    }
  });
  page.on('requestfailed', (request) => {
    // Leaving a page cancels the images still loading on it (ERR_ABORTED): not a fault of the page.
    const why = request.failure()?.errorText ?? 'unknown';
    if (why !== 'net::ERR_ABORTED') problems.push(`${request.url()} failed (${why}) on ${page.url()}`);
  });
}

/** Asserts that no page of the context had a script error, a CSP violation or an asset that did not load. */
export function assertNoProblems(problems: string[]): void {
  assert.deepEqual(problems, [], 'the browser reported problems');
}

// Screenshots go to one folder per journey under test-results/ (git-ignored); the README's come from here.
export const screenshotRoot = path.join(projectRoot, 'test-results', 'screenshots');

export function screenshots(journey: string) {
  const dir = path.join(screenshotRoot, journey);
  mkdirSync(dir, { recursive: true });
  console.log(`screenshots of the ${journey} journey: ${dir}`);
  return async (page: Page, name: string, fullPage = true) => {
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage, animations: 'disabled' });
  };
}

// axe-core goes in as an init script: DevTools injects those outside the page's CSP, so the app's
// script-src 'self' stays enforced while axe runs (no bypassCSP needed).
let axeSource: string | undefined;

export async function enableAxe(context: BrowserContext): Promise<void> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await context.addInitScript({ content: axeSource });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core on the current page; returns every violation and the ids of the rules that passed. */
export async function runAxe(page: Page): Promise<{ violations: AxeViolation[]; passed: string[] }> {
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe?: { run(context: Document, options: object): Promise<AxeRawResults> } }).axe;
    if (!axe) throw new Error('axe-core is not on this page (enableAxe before opening it)');
    const results = await axe.run(document, { resultTypes: ['violations', 'passes'] });
    return {
      violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })),
      passed: results.passes.map((p) => p.id),
    };
  });
}

interface AxeRawResults {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  passes: { id: string }[];
}

/** The header badge's number. */
export async function badge(page: Page): Promise<string> {
  return (await page.locator('.site-header [data-cart-count]').textContent())?.trim() ?? '';
}

/** Signs in through the form; resolves once the app has redirected. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Adds one copy of the book at `bookPath` with its page's button and waits for the badge to count it. */
export async function addToCart(page: Page, bookPath: string): Promise<void> {
  await page.goto(bookPath);
  const before = Number(await badge(page));
  await page.locator('.add-to-cart-detail').getByRole('button', { name: 'Add to cart' }).click();
  await page.locator(`.site-header [data-cart-count="${before + 1}"]`).waitFor();
}

export interface Shipping { fullName: string; email: string; addressLine1: string; city: string; state: string; zipCode: string }

/** Fills the checkout form (the page must be /checkout). */
export async function fillShipping(page: Page, values: Shipping): Promise<void> {
  await page.getByLabel('Full name').fill(values.fullName);
  await page.getByLabel('Email').fill(values.email);
  await page.getByLabel('Street address').fill(values.addressLine1);
  await page.getByLabel('City').fill(values.city);
  await page.getByLabel('State').selectOption(values.state);
  await page.getByLabel('ZIP code').fill(values.zipCode);
}

/** Places an order for what is in the cart; resolves to the confirmation page's order path. */
export async function checkOut(page: Page, values: Shipping): Promise<string> {
  await page.goto('/checkout');
  await fillShipping(page, values);
  await page.getByRole('button', { name: /^Place order/ }).click();
  await page.waitForURL(/\/orders\/\d+$/);
  return new URL(page.url()).pathname;
}
