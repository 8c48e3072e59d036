import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertNoProblems, browserSkipReason, closeStoreAndBrowser, newContext, openStoreAndBrowser, screenshots, type Store } from './support';
import { shopAndCheckOut } from './shop-journey';

describe('a guest shopper with JavaScript on', { skip: browserSkipReason() }, () => {
  let store: Store;
  let browser: Browser;
  before(async () => ({ store, browser } = await openStoreAndBrowser()));
  after(() => closeStoreAndBrowser(store, browser));

  it('browses, adds two books without a page reload, edits the cart and checks out after fixing a mistake', { timeout: 180_000 }, async () => {
    const { context, page, problems } = await newContext(browser, store.baseUrl);
    await shopAndCheckOut(page, screenshots('shopper'), true);
    assertNoProblems(problems);
    await context.close();
  });
});
