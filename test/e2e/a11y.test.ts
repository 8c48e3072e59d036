import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { validShipping } from '../helpers';
import { addToCart, assertNoProblems, browserSkipReason, checkOut, closeStoreAndBrowser, createAdmin, enableAxe, fillShipping, newContext, openStoreAndBrowser, runAxe, screenshots, signIn, type Store } from './support';

/** axe-core on the page: no serious or critical violation, and the image, label and contrast rules really ran. */
async function assertAxeClean(page: Page, name: string): Promise<void> {
  const { violations, passed } = await runAxe(page);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(' | ')}`), [], `${name}: axe-core found serious problems`);
  for (const rule of ['image-alt', 'label', 'color-contrast']) assert.ok(passed.includes(rule), `${name}: axe-core did not check ${rule}`);
}

/** Every image has an alt attribute (empty only for decoration), every visible field a label. */
async function assertAltAndLabels(page: Page, name: string): Promise<void> {
  const missing = await page.evaluate(() => {
    const images = [...document.images].filter((img) => !img.hasAttribute('alt')).map((img) => `img ${img.src}`);
    const fields = [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')]
      .filter((field) => field.type !== 'hidden' && field.type !== 'submit')
      .filter((field) => field.labels?.length === 0 && !field.getAttribute('aria-label') && !field.getAttribute('aria-labelledby'))
      .map((field) => `field ${field.name || field.id}`);
    return [...images, ...fields];
  });
  assert.deepEqual(missing, [], `${name}: images without alt text or fields without a label`);
}

/**
 * Tabs through the whole page: every element that takes keyboard focus must be on screen while
 * focused and look different (an outline or a focus ring) from when it is not focused.
 */
async function assertFocusVisible(page: Page, name: string): Promise<number> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const seen = new Set<string>();
  const faults: string[] = [];
  for (let stop = 0; stop < 120; stop += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate((index) => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      el.dataset.e2eStop ??= String(index);
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      const ring = `${style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0 ? 'no outline' : `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`} | ${style.boxShadow}`;
      const label = `${el.tagName.toLowerCase()} “${(el.textContent ?? '').trim().slice(0, 30) || (el as HTMLInputElement).name || el.id}”`;
      return { id: el.dataset.e2eStop, label, ring, visible: box.width > 0 && box.height > 0 && el.checkVisibility() };
    }, stop);
    if (!focused || seen.has(focused.id)) break;
    seen.add(focused.id);
    const unfocused = await page.evaluate((id) => {
      const el = document.querySelector<HTMLElement>(`[data-e2e-stop="${id}"]`)!;
      // Compare with the same element's look without focus, then give focus back to carry on tabbing.
      el.blur();
      const style = getComputedStyle(el);
      const ring = `${style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0 ? 'no outline' : `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`} | ${style.boxShadow}`;
      el.focus();
      return ring;
    }, focused.id);
    if (!focused.visible) faults.push(`${focused.label} is focused but not visible`);
    else if (focused.ring === unfocused) faults.push(`${focused.label} shows no focus (${focused.ring})`);
  }
  assert.deepEqual(faults, [], `${name}: keyboard focus is not visible`);
  assert.ok(seen.size >= 8, `${name}: only ${seen.size} elements took keyboard focus`);
  return seen.size;
}

describe('accessibility (axe-core, alt text, labels, visible focus, contrast)', { skip: browserSkipReason() }, () => {
  let store: Store;
  let browser: Browser;
  before(async () => ({ store, browser } = await openStoreAndBrowser()));
  after(() => closeStoreAndBrowser(store, browser));

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`every shop and admin page passes in the ${colorScheme} colour scheme`, { timeout: 300_000 }, async () => {
      const admin = await createAdmin(store);
      // Reduced motion: Pico's colour transitions would otherwise be caught half-way.
      const { context, page, problems } = await newContext(browser, store.baseUrl, { colorScheme, reducedMotion: 'reduce' });
      await enableAxe(context);
      const shot = screenshots(`a11y-${colorScheme}`);
      const check = async (name: string) => {
        await shot(page, name);
        await assertAxeClean(page, name);
        await assertAltAndLabels(page, name);
        // Focus styles do not depend on the colour scheme's rules, so once is enough.
        if (colorScheme === 'light') await assertFocusVisible(page, name);
      };

      for (const [name, path] of [['home', '/'], ['category', '/category/classics'], ['search', '/search?q=the'], ['book', '/books/14'], ['login', '/login'], ['register', '/register']]) {
        await page.goto(path);
        await check(name);
      }
      await addToCart(page, '/books/14');
      await page.goto('/cart');
      await check('cart');
      await page.goto('/checkout');
      await check('checkout');
      await fillShipping(page, { ...validShipping, email: 'not an email', zipCode: '1' });
      await page.getByRole('button', { name: /^Place order/ }).click();
      await page.locator('#email-error').waitFor();
      await check('checkout-errors');
      await checkOut(page, validShipping);
      await check('confirmation');

      await signIn(page, admin.email, admin.password);
      for (const [name, path] of [['admin-dashboard', '/admin'], ['admin-books', '/admin/books'], ['admin-book-new', '/admin/books/new'], ['admin-book-edit', '/admin/books/14/edit'], ['admin-order', '/admin/orders/1']]) {
        await page.goto(path);
        await check(name);
      }
      // The book form with its mistakes shown.
      await page.goto('/admin/books/new');
      await page.getByRole('button', { name: 'Add book' }).click();
      await page.locator('#title-error').waitFor();
      await check('admin-book-errors');

      assertNoProblems(problems);
      await context.close();
    });
  }
});
