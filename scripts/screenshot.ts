/**
 * Takes full-page screenshots of a running store with Debian's Chromium:
 *   npx tsx scripts/screenshot.ts http://127.0.0.1:8080 docs/screenshots home=/ book=/books/1
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

async function main() {
  const [base, outDir, ...pages] = process.argv.slice(2);
  if (!base || !outDir || pages.length === 0) {
    console.error('usage: screenshot.ts BASE_URL OUT_DIR name=/path [name=/path ...] [--width=N --height=N]');
    process.exit(2);
  }
  const width = Number(pages.find((p) => p.startsWith('--width='))?.slice(8) ?? 1280);
  const height = Number(pages.find((p) => p.startsWith('--height='))?.slice(9) ?? 900);
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height } });
    for (const spec of pages.filter((p) => !p.startsWith('--'))) {
      const [name, urlPath] = spec.split('=');
      await page.goto(new URL(urlPath, base).toString(), { waitUntil: 'load' });
      const file = path.join(outDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
