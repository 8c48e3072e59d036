import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { validShipping } from '../helpers';
import { addToCart, assertNoProblems, browserSkipReason, checkOut, closeStoreAndBrowser, createAdmin, newContext, openStoreAndBrowser, screenshots, type Store } from './support';

const TITLE = 'The Lighthouse Keeper’s Atlas';

/** A real cover image: Chromium draws one and saves it as a PNG. */
async function drawCover(browser: Browser): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width: 300, height: 450 } });
  await page.setContent(`<body style="margin:0"><div id="cover" style="width:300px;height:450px;background:linear-gradient(#12355b,#2d7dd2);
    color:#fff;font:bold 28px serif;display:flex;align-items:center;justify-content:center;text-align:center">${TITLE}</div></body>`);
  const png = await page.locator('#cover').screenshot({ type: 'png' });
  await page.close();
  return png;
}

/** Waits for an image to finish loading and returns its natural width (0 when it is broken). */
async function loadedWidth(image: Locator): Promise<number> {
  await image.scrollIntoViewIfNeeded();
  return image.evaluate((img: HTMLImageElement) => new Promise<number>((resolve) => {
    if (img.complete) {
      resolve(img.naturalWidth);
      return;
    }
    img.addEventListener('load', () => resolve(img.naturalWidth));
    img.addEventListener('error', () => resolve(0));
  }));
}

async function stockOnStorePage(page: Page, url: string): Promise<string | null> {
  await page.goto(url);
  return page.locator('.book-detail [data-stock]').textContent();
}

describe('an admin', { skip: browserSkipReason() }, () => {
  let store: Store;
  let browser: Browser;
  before(async () => ({ store, browser } = await openStoreAndBrowser()));
  after(() => closeStoreAndBrowser(store, browser));

  it('adds a book with a cover, finds it in the store, changes its stock and ships its order', { timeout: 240_000 }, async () => {
    const admin = await createAdmin(store);
    const cover = await drawCover(browser);
    const { context, page, problems } = await newContext(browser, store.baseUrl);
    const shot = screenshots('admin');

    // Signed out, the dashboard asks for a sign-in and comes back after it.
    await page.goto('/admin');
    await page.waitForURL('**/login?next=%2Fadmin');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/admin');
    assert.equal(await page.locator('.site-header').getByRole('link', { name: 'Admin' }).count(), 1);
    assert.equal(await page.locator('h1').textContent(), 'Dashboard');
    assert.equal(await page.locator('[data-period="all"] [data-stat="orders"]').textContent(), '0');
    await shot(page, 'dashboard');

    await page.locator('.admin-nav').getByRole('link', { name: 'Books' }).click();
    await page.waitForURL('**/admin/books');
    assert.match((await page.locator('main').textContent()) ?? '', /54 books/);
    await shot(page, 'books');

    await page.getByRole('button', { name: 'Add a book' }).click();
    await page.waitForURL('**/admin/books/new');
    await page.getByLabel('Title').fill(TITLE);
    await page.getByLabel('New author’s first name').fill('Mara');
    await page.getByLabel('New author’s last name').fill('Quill');
    await page.getByLabel('Category').fill('Fantasy');
    await page.getByLabel('Year published (optional)').fill('2024');
    await page.getByLabel('Price (USD)').fill('18.50');
    await page.getByLabel('Copies in stock').fill('4');
    await page.getByLabel('Description').fill('A keeper maps every storm that passes her light, and one of them maps her back.');
    await page.getByLabel(/^Cover image/).setInputFiles({ name: 'atlas.png', mimeType: 'image/png', buffer: cover });
    await shot(page, 'book-form');
    await page.getByRole('button', { name: 'Add book' }).click();
    await page.waitForURL(/\/admin\/books\/\d+\/edit$/);
    assert.equal(await page.locator('.flash').textContent(), `Added “${TITLE}”.`);
    assert.ok((await loadedWidth(page.locator('aside img'))) > 0, 'the admin form shows the uploaded cover');

    // The store finds it, with the uploaded cover (not a drawn SVG) actually loading.
    await page.locator('#site-search').fill('lighthouse keeper');
    await page.locator('#site-search').press('Enter');
    const card = page.locator('.book-card', { hasText: TITLE });
    assert.equal(await card.count(), 1);
    const cardCover = card.locator('img');
    assert.match((await cardCover.getAttribute('src')) ?? '', /\/books\/\d+\/cover\.png\?v=\d+$/);
    assert.equal(await loadedWidth(cardCover), 300, 'the cover is the 300-pixel PNG that was uploaded');
    await card.getByRole('link', { name: TITLE }).click();
    await page.waitForURL(/\/books\/\d+-/);
    const bookUrl = new URL(page.url()).pathname;
    assert.equal(await page.locator('.book-detail-author').textContent(), 'by Mara Quill');
    assert.equal(await page.locator('.book-detail-price').textContent(), '$18.50');
    assert.equal(await page.locator('.book-detail [data-stock]').textContent(), '4 in stock');
    assert.equal(await loadedWidth(page.locator('img.book-detail-cover')), 300);
    await shot(page, 'store-book');

    // A shopper in another browser buys a copy.
    const shopper = await newContext(browser, store.baseUrl);
    await addToCart(shopper.page, bookUrl);
    await checkOut(shopper.page, validShipping);
    const orderNumber = (await shopper.page.locator('[data-order-number]').textContent()) ?? '';
    assert.match(orderNumber, /^EB-\d{6}$/);
    assert.equal(await stockOnStorePage(page, bookUrl), '3 in stock');

    // Ten more copies arrive.
    await page.goto('/admin/books');
    await page.getByLabel('Title or author').fill('Lighthouse');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: `Edit ${TITLE}` }).click();
    await page.waitForURL(/\/admin\/books\/\d+\/edit$/);
    await page.getByLabel('Add or take away (e.g. 10 or -2)').fill('10');
    await page.getByLabel('Reason').fill('Delivery from the publisher');
    await page.getByRole('button', { name: 'Change stock' }).click();
    await page.locator('.flash', { hasText: `Stock of “${TITLE}” is now 13.` }).waitFor();
    assert.match((await page.locator('.history').textContent()) ?? '', /Delivery from the publisher/);
    assert.equal(await stockOnStorePage(page, bookUrl), '13 in stock');

    // The shopper's order goes out.
    await page.goto('/admin');
    await page.locator('.admin-nav').getByRole('link', { name: 'Orders' }).click();
    await page.waitForURL('**/admin/orders');
    const row = page.locator('.admin-orders-table tbody tr', { hasText: orderNumber });
    assert.equal(await row.locator('[data-order-status]').textContent(), 'placed');
    await row.getByRole('link', { name: orderNumber }).click();
    await page.waitForURL(/\/admin\/orders\/\d+$/);
    await page.getByLabel(/^Move this order from/).selectOption('shipped');
    await page.getByRole('button', { name: 'Update status' }).click();
    await page.locator('.flash', { hasText: `Order ${orderNumber} is now shipped.` }).waitFor();
    assert.equal(await page.locator('[data-order-status]').textContent(), 'shipped');
    await shot(page, 'order-shipped');

    // The shopper sees it too.
    await shopper.page.reload();
    assert.equal(await shopper.page.locator('[data-order-status]').textContent(), 'shipped');

    // The dashboard counts the sale.
    await page.locator('.admin-nav').getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL('**/admin');
    assert.equal(await page.locator('[data-period="all"] [data-stat="orders"]').textContent(), '1');
    assert.equal(await page.locator('[data-period="all"] [data-stat="revenue"]').textContent(), '$18.50');
    assert.equal(await page.locator('[data-table="best-sellers"] tbody tr').count(), 1);
    assert.match((await page.locator('[data-table="best-sellers"] tbody tr').textContent()) ?? '', new RegExp(TITLE));
    await shot(page, 'dashboard-after-sale');

    assertNoProblems(problems);
    assertNoProblems(shopper.problems);
    await shopper.context.close();
    await context.close();
  });
});
