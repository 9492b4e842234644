// Writes the README's pictures of a review page: node scripts/review-screenshot.mjs REVIEW.html
// SECTION-ID OUT-DIR gives OUT-DIR/review-matrix.png (the verdicts) and OUT-DIR/review-diagram.png
// (the counterexample SECTION-ID), from Debian's chromium, headless, through playwright-core. The
// window is tall enough for a whole diagram, so that its sticky header is not drawn over its first row.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [html, section, out] = process.argv.slice(2);
if (html === undefined || section === undefined || out === undefined) {
  process.stderr.write('usage: node scripts/review-screenshot.mjs REVIEW.html SECTION-ID OUT-DIR\n');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 2400 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(resolve(html)).href);
  await page.locator('table.matrix').screenshot({ path: join(out, 'review-matrix.png') });
  await page.locator(`section[id="${section}"]`).screenshot({ path: join(out, 'review-diagram.png') });
} finally {
  await browser.close();
}
