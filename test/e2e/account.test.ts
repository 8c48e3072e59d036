import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertNoProblems, badge, browserSkipReason, closeStoreAndBrowser, newContext, openStoreAndBrowser, screenshots, type Store } from './support';

describe('a shopper with an account', { skip: browserSkipReason() }, () => {
  let store: Store;
  let browser: Browser;
  before(async () => ({ store, browser } = await openStoreAndBrowser()));
  after(() => closeStoreAndBrowser(store, browser));

  it('signs up, orders a book and finds the order in their history', { timeout: 180_000 }, async () => {
    const { context, page, problems } = await newContext(browser, store.baseUrl);
    const shot = screenshots('account');

    await page.goto('/');
    await page.locator('.site-header').getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL('**/register');
    await page.getByLabel('Name').fill('Grace Hopper');
    await page.getByLabel('Email').fill('grace@example.com');
    // Too short first: the form says why and keeps what was typed.
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#password-error').waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), 'grace@example.com');
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'a password is never sent back');
    await shot(page, 'register-error');

    await page.getByLabel('Password').fill('correct-horse-battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${store.baseUrl}/`);
    const header = page.locator('.site-header');
    await header.getByRole('button', { name: /Sign out/ }).waitFor();
    assert.equal(await header.getByRole('link', { name: 'Sign in' }).count(), 0);

    await page.locator('#site-search').fill('hobbit');
    await page.locator('#site-search').press('Enter');
    await page.waitForURL('**/search?q=hobbit');
    await page.locator('.book-card-title').getByRole('link', { name: 'The Hobbit' }).click();
    await page.getByLabel('Quantity').fill('2');
    await page.locator('.add-to-cart-detail').getByRole('button', { name: 'Add to cart' }).click();
    await page.locator('.site-header [data-cart-count="2"]').waitFor();

    await header.getByRole('link', { name: /^Cart/ }).click();
    await page.getByRole('button', { name: 'Check out' }).click();
    await page.waitForURL('**/checkout');
    // The account's name and email are filled in.
    assert.equal(await page.getByLabel('Full name').inputValue(), 'Grace Hopper');
    assert.equal(await page.getByLabel('Email').inputValue(), 'grace@example.com');
    await page.getByLabel('Street address').fill('1 Harbor Road');
    await page.getByLabel('City').fill('Arlington');
    await page.getByLabel('State').selectOption('VA');
    await page.getByLabel('ZIP code').fill('22201');
    await page.getByRole('button', { name: /^Place order/ }).click();
    await page.waitForURL(/\/orders\/\d+$/);
    assert.equal(await page.locator('h1').textContent(), 'Your order is placed!');
    const orderNumber = (await page.locator('[data-order-number]').textContent()) ?? '';
    assert.match(orderNumber, /^EB-\d{6}$/);
    assert.equal(await badge(page), '0');

    await header.getByRole('link', { name: 'Your orders' }).click();
    await page.waitForURL('**/account/orders');
    const rows = page.locator('main table tbody tr');
    assert.equal(await rows.count(), 1);
    const cells = await rows.first().locator('td').allTextContents();
    assert.equal(cells[0], orderNumber);
    assert.equal(cells[2], '2', 'two copies of The Hobbit');
    assert.equal(cells[4], 'placed');
    await shot(page, 'orders');

    // The history's link leads back to the order.
    await rows.first().getByRole('link', { name: orderNumber }).click();
    await page.waitForURL(/\/orders\/\d+$/);
    assert.equal(await page.locator('[data-order-number]').textContent(), orderNumber);

    assertNoProblems(problems);
    await context.close();
  });
});
