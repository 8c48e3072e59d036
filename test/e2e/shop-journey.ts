/** The guest shopper's journey, run once with JavaScript on and once with it off. */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { badge } from './support';

type Shot = (page: Page, name: string) => Promise<void>;

/** Dollars on a page ("$12.99") in cents. */
export function cents(text: string | null): number {
  const match = /\$([\d,]+)\.(\d\d)/.exec(text ?? '');
  assert.ok(match, `no price in ${JSON.stringify(text)}`);
  return Number(match[1].replace(/,/g, '')) * 100 + Number(match[2]);
}

/**
 * Adds a book with the form's button. With JavaScript the page must stay the same document (the
 * marker set on window survives and no new navigation entry appears); without, the form posts and
 * the page comes back with the server's message.
 */
async function addWithButton(page: Page, button: ReturnType<Page['locator']>, javaScript: boolean, expectedBadge: string, title: string) {
  if (javaScript) {
    await page.evaluate(() => { (window as unknown as { e2eMarker: string }).e2eMarker = 'same document'; });
    const navigations = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    await button.click();
    await page.locator(`.site-header [data-cart-count="${expectedBadge}"]`).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker), 'same document', 'the page reloaded');
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), navigations);
    // The message stays in the toast after it fades, so this holds even on a slow machine.
    assert.match((await page.locator('#toast').textContent()) ?? '', new RegExp(`Added .*${title}`));
    assert.equal(await page.locator('.flash').count(), 0, 'no server flash without a reload');
  } else {
    // A plain form post, answered with a redirect back to the same page, which shows the server's message.
    const posted = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/cart/items');
    await button.click();
    assert.equal((await posted).status(), 303);
    await page.locator('.flash', { hasText: new RegExp(`Added .*${title}.* to your cart`) }).waitFor();
    assert.equal(await page.locator('#toast').isVisible(), false);
  }
  assert.equal(await badge(page), expectedBadge);
  const label = await page.locator('.site-header [data-cart-count]').getAttribute('aria-label');
  assert.equal(label, `${expectedBadge} ${expectedBadge === '1' ? 'item' : 'items'} in your cart`);
}

export async function shopAndCheckOut(page: Page, shot: Shot, javaScript: boolean): Promise<{ orderNumber: string }> {
  await page.goto('/');
  assert.equal(await page.locator('h1').textContent(), 'Discover Your Next Great Read');
  assert.ok((await page.locator('.book-card').count()) > 0, 'the home page shows featured books');
  await shot(page, 'home');

  // A category from the home page's list.
  await page.getByRole('link', { name: /^Classics/ }).first().click();
  await page.waitForURL('**/category/classics');
  assert.equal(await page.locator('h1').textContent(), 'Classics');
  assert.equal(await page.locator('.book-card').count(), 9);
  await shot(page, 'category');

  // The header's search.
  await page.locator('#site-search').fill('gatsby');
  await page.locator('.search-form').getByRole('button', { name: 'Search' }).click();
  await page.waitForURL('**/search?q=gatsby');
  assert.match((await page.locator('main').textContent()) ?? '', /1 book matches “gatsby”/);
  await shot(page, 'search');

  await page.locator('.book-card-title').getByRole('link', { name: 'The Great Gatsby' }).click();
  await page.waitForURL(/\/books\/\d+/);
  assert.equal(await page.locator('h1').textContent(), 'The Great Gatsby');
  assert.match((await page.locator('.book-detail-author').textContent()) ?? '', /F\. Scott Fitzgerald/);
  const gatsbyPrice = cents(await page.locator('.book-detail-price').textContent());
  await shot(page, 'book');

  await addWithButton(page, page.locator('.add-to-cart-detail').getByRole('button', { name: 'Add to cart' }), javaScript, '1', 'The Great Gatsby');

  // A second book, from its category's grid.
  await page.locator('.breadcrumb').getByRole('link', { name: 'Classics' }).click();
  await page.waitForURL('**/category/classics');
  const prideCard = page.locator('.book-card', { has: page.getByRole('link', { name: 'Pride and Prejudice' }) });
  const pridePrice = cents(await prideCard.locator('.book-card-price').textContent());
  await addWithButton(page, prideCard.getByRole('button', { name: /^Add to cart\W+Pride and Prejudice$/ }), javaScript, '2', 'Pride and Prejudice');

  await page.locator('.site-header').getByRole('link', { name: /^Cart/ }).click();
  await page.waitForURL('**/cart');
  const rows = page.locator('.cart-table tbody tr');
  assert.equal(await rows.count(), 2);
  assert.equal(cents(await page.locator('[data-subtotal]').textContent()), gatsbyPrice + pridePrice);
  await shot(page, 'cart');

  // Three copies of Gatsby instead of one.
  const gatsbyRow = rows.filter({ hasText: 'The Great Gatsby' });
  await gatsbyRow.getByLabel('Quantity of The Great Gatsby').fill('3');
  await gatsbyRow.getByRole('button', { name: 'Update' }).click();
  await page.locator('.flash', { hasText: 'Your cart is updated.' }).waitFor();
  assert.equal(await badge(page), '4');
  assert.equal(await page.getByLabel('Quantity of The Great Gatsby').inputValue(), '3');
  assert.equal(cents(await page.locator('[data-subtotal]').textContent()), 3 * gatsbyPrice + pridePrice);

  await rows.filter({ hasText: 'Pride and Prejudice' }).getByRole('button', { name: 'Remove Pride and Prejudice' }).click();
  await page.locator('.flash', { hasText: 'The book was removed from your cart.' }).waitFor();
  assert.equal(await rows.count(), 1);
  assert.equal(await badge(page), '3');
  assert.equal(cents(await page.locator('[data-subtotal]').textContent()), 3 * gatsbyPrice);

  await page.getByRole('button', { name: 'Check out' }).click();
  await page.waitForURL('**/checkout');
  await page.getByLabel('Full name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Street address').fill('12 Analytical Way');
  await page.getByLabel('City').fill('Springfield');
  await page.getByLabel('State').selectOption('IL');
  // The mistake: a ZIP code with letters in it.
  await page.getByLabel('ZIP code').fill('62A01');
  await page.getByRole('button', { name: /^Place order/ }).click();
  await page.locator('.notice', { hasText: 'Please correct the highlighted fields.' }).waitFor();
  assert.equal(await page.locator('#zipCode-error').textContent(), 'Enter a 5-digit ZIP code, like 10001 or 10001-1234.');
  assert.equal(await page.getByLabel('ZIP code').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('ZIP code').inputValue(), '62A01');
  assert.equal(await page.getByLabel('Full name').inputValue(), 'Ada Lovelace');
  assert.equal(await page.getByLabel('Street address').inputValue(), '12 Analytical Way');
  assert.equal(await page.getByLabel('State').inputValue(), 'IL');
  assert.equal(await page.locator('[aria-invalid="true"]').count(), 1, 'only the ZIP code is marked wrong');
  await shot(page, 'checkout-error');

  await page.getByLabel('ZIP code').fill('62701');
  await page.getByRole('button', { name: /^Place order/ }).click();
  await page.waitForURL(/\/orders\/\d+$/);
  assert.equal(await page.locator('h1').textContent(), 'Your order is placed!');
  const orderNumber = (await page.locator('[data-order-number]').textContent()) ?? '';
  assert.match(orderNumber, /^EB-\d{6}$/);
  const orderRows = page.locator('main table tbody tr');
  assert.equal(await orderRows.count(), 1);
  assert.match((await orderRows.textContent()) ?? '', /The Great Gatsby/);
  assert.match((await page.locator('address').textContent()) ?? '', /Springfield, IL 62701/);
  await shot(page, 'confirmation');

  await page.locator('.site-header').getByRole('link', { name: /^Cart/ }).click();
  await page.waitForURL('**/cart');
  assert.match((await page.locator('main').textContent()) ?? '', /Your cart is empty\./);
  assert.equal(await badge(page), '0');
  return { orderNumber };
}
