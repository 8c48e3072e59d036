import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { validShipping } from '../helpers';
import { addToCart, assertNoProblems, browserSkipReason, checkOut, closeStoreAndBrowser, createAdmin, fillShipping, newContext, openStoreAndBrowser, PHONE, screenshots, signIn, type Store } from './support';

type Shot = (page: Page, name: string, fullPage?: boolean) => Promise<void>;

/**
 * The page fits the phone's width (nothing to scroll sideways), and the header's menu, search and
 * cart link are all on screen. On failure it names the elements that stick out.
 */
async function assertFitsPhone(page: Page, shot: Shot, name: string): Promise<void> {
  const layout = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5 && getComputedStyle(el).position !== 'fixed')
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)}px)`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide };
  });
  await shot(page, name);
  // A phone browser zooms out to show a page that is too wide, which would widen innerWidth as well:
  // the page must fit the phone's own 375 CSS pixels.
  const phoneWidth = PHONE.viewport!.width;
  assert.equal(layout.innerWidth, phoneWidth, `${name} (${page.url()}) is zoomed out to ${layout.innerWidth}px; too wide: ${layout.wide.join(', ')}`);
  assert.ok(layout.scrollWidth <= layout.innerWidth, `${name} (${page.url()}) scrolls sideways: ${layout.scrollWidth}px > ${layout.innerWidth}px; too wide: ${layout.wide.join(', ')}`);

  const reachable = page.locator('.site-nav a, .site-nav summary, .site-nav button, #site-search, .search-form button');
  // Links inside the closed categories menu are hidden on purpose; the tap test below opens it.
  const boxes = await reachable.evaluateAll((els) => els.filter((el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true })).map((el) => {
    const box = el.getBoundingClientRect();
    // The element at the control's centre must be the control (or inside it): nothing covers it.
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return { text: (el.textContent ?? '').trim() || el.id, left: box.left, right: box.right, width: box.width, height: box.height, onTop: !!hit && (el === hit || el.contains(hit)) };
  }));
  const shown = boxes.map((box) => box.text);
  for (const wanted of ['All books', 'Categories', 'Gallery', 'site-search', 'Search']) assert.ok(shown.includes(wanted), `${name}: “${wanted}” is not shown`);
  assert.ok(shown.some((text) => /^Cart\s*\d+$/.test(text)), `${name}: the cart link is not shown`);
  for (const box of boxes) {
    assert.ok(box.width > 0 && box.height > 0 && box.left >= 0 && box.right <= PHONE.viewport!.width, `${name}: “${box.text}” is off screen (${box.left}–${box.right}px)`);
    assert.ok(box.onTop, `${name}: “${box.text}” is covered by another element`);
  }
  // A finger needs something bigger than a few pixels to hit.
  const cart = await page.locator('.site-header .cart-link').boundingBox();
  assert.ok(cart && cart.height >= 24 && cart.width >= 44, `${name}: the cart link is too small to tap (${JSON.stringify(cart)})`);
}

describe('the store on a phone (375×812)', { skip: browserSkipReason() }, () => {
  let store: Store;
  let browser: Browser;
  before(async () => ({ store, browser } = await openStoreAndBrowser()));
  after(() => closeStoreAndBrowser(store, browser));

  it('has no sideways scrolling on any page, and the menu and cart are always in reach', { timeout: 300_000 }, async () => {
    const admin = await createAdmin(store);
    const shot = screenshots('phone');
    const { context, page, problems } = await newContext(browser, store.baseUrl, PHONE);

    await page.goto('/');
    await assertFitsPhone(page, shot, 'home');
    await shot(page, 'home-screen', false);
    // The menu works by touch: open the categories and pick one.
    await page.locator('.site-nav summary', { hasText: 'Categories' }).tap();
    const fantasy = page.locator('.site-nav details').getByRole('link', { name: 'Fantasy' });
    await fantasy.waitFor({ state: 'visible' });
    await shot(page, 'menu-open', false);
    await fantasy.tap();
    await page.waitForURL('**/category/fantasy');
    await assertFitsPhone(page, shot, 'category');

    for (const [name, path] of [['books', '/books'], ['gallery', '/gallery'], ['search', '/search?q=the'], ['search-empty', '/search'], ['not-found', '/no-such-page'], ['login', '/login'], ['register', '/register']]) {
      await page.goto(path);
      await assertFitsPhone(page, shot, name);
    }
    await page.goto('/search?q=gatsby');
    await page.locator('.book-card-title a').first().tap();
    await page.waitForURL(/\/books\/\d+-/);
    await assertFitsPhone(page, shot, 'book');

    await addToCart(page, new URL(page.url()).pathname);
    await page.goto('/search?q=pride');
    await page.locator('.book-card-title a').first().tap();
    await page.waitForURL(/\/books\/\d+-/);
    await addToCart(page, new URL(page.url()).pathname);
    await page.locator('.site-header .cart-link').tap();
    await page.waitForURL('**/cart');
    assert.equal(await page.locator('.cart-table tbody tr').count(), 2);
    await assertFitsPhone(page, shot, 'cart');
    // The cart's own controls are reachable too.
    for (const control of await page.locator('.cart-table input:not([type=hidden]), .cart-table button').all()) {
      const box = await control.boundingBox();
      const what = await control.evaluate((el) => el.textContent?.trim() || el.id);
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `the cart's “${what}” is off screen: ${JSON.stringify(box)}`);
    }

    await page.goto('/checkout');
    await assertFitsPhone(page, shot, 'checkout');
    await fillShipping(page, { ...validShipping, zipCode: 'nope' });
    await page.getByRole('button', { name: /^Place order/ }).click();
    await page.locator('#zipCode-error').waitFor();
    await assertFitsPhone(page, shot, 'checkout-error');
    await checkOut(page, validShipping);
    await assertFitsPhone(page, shot, 'confirmation');

    await signIn(page, admin.email, admin.password);
    for (const [name, path] of [
      ['admin-dashboard', '/admin'], ['admin-books', '/admin/books'], ['admin-book-new', '/admin/books/new'], ['admin-book-edit', '/admin/books/1/edit'],
      ['admin-authors', '/admin/authors'], ['admin-orders', '/admin/orders'], ['admin-order', '/admin/orders/1'], ['admin-audit', '/admin/audit'],
      ['account-orders', '/account/orders'],
    ]) {
      await page.goto(path);
      await assertFitsPhone(page, shot, name);
    }

    assertNoProblems(problems);
    await context.close();
  });
});
