#!/usr/bin/env node
// Browser checks of a built bulletin site, in Debian's /usr/bin/chromium driven by
// playwright-core (never a downloaded browser):
//   node check.mjs SITE_DIR          serves SITE_DIR on a loopback port
//   node check.mjs http://127.0.0.1:PORT/   checks a running `bulletin serve`
// - axe-core (WCAG 2.1 A/AA) on key pages at a 360 px viewport: no serious or critical violation;
// - a ticked checklist item survives a reload, and progress shows "N of M done";
// - the checklist picker combines the picked data classes without a reload;
// - with JavaScript disabled every page still shows its content and checklist;
// - no request leaves the origin;
// - every page kind in Urdu passes axe, and on the Urdu advisory pages no Latin-script
//   text sits outside an element marked lang="en" (or a <bdi> or <code>): embedded
//   English is isolated, so its punctuation stays with it in a right-to-left page.
// Prints one line per check and exits 1 if any fails.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const target = process.argv[2];
const advisory = process.argv[3] || 'advisories/PK-2025-0007/';
if (!target) {
  console.error('usage: node check.mjs SITE_DIR|URL [ADVISORY_PATH]');
  process.exit(2);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.xml': 'application/xml', '.json': 'application/json', '.txt': 'text/plain' };

function serveDir(dir) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(400); res.end(); return; }
    if (file.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'content-type': TYPES['.html'] });
        res.end(fs.existsSync(path.join(root, '404.html')) ? fs.readFileSync(path.join(root, '404.html')) : 'not found');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server = null;
let base = target;
if (!/^https?:\/\//.test(target)) {
  server = await serveDir(target);
  base = `http://127.0.0.1:${server.address().port}/`;
}
if (!base.endsWith('/')) base += '/';
const origin = new URL(base).origin;

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--dns-prefetch-disable',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1'];

const results = [];
function check(name, ok, detail = '') {
  results.push({ name, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

async function withBrowser(options, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulletin-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', headless: true, args: FLAGS, timeout: 60000,
    viewport: { width: 360, height: 740 }, ...options,
  });
  const outside = [];
  await ctx.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith('data:')) return route.continue();
    outside.push(u);
    return route.abort('blockedbyclient');
  });
  try {
    return await fn(ctx, outside);
  } finally {
    await ctx.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const untranslated = process.argv[4] || 'advisories/PK-2025-0004/';
const urdu = ['ur/', `ur/${advisory}`, `ur/${untranslated}`, 'ur/advisories/', 'ur/checklist/', 'ur/checklist/passwords/',
  'ur/tags/telecom/', 'ur/severity/high/', 'ur/data/call-logs/', 'ur/feeds/', 'ur/subscribe/'];
const pages = ['', advisory, 'checklist/', 'advisories/', 'feeds/', 'subscribe/', ...urdu];

try {
  await withBrowser({}, async (ctx, outside) => {
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    for (const p of pages) {
      const res = await page.goto(base + p, { waitUntil: 'load' });
      if (!res || res.status() !== 200) { check(`load /${p}`, false, `status ${res && res.status()}`); continue; }
      await page.addScriptTag({ content: AXE });
      const axe = await page.evaluate(async () => {
        const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
      });
      const bad = axe.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      check(`axe /${p} at 360px: no serious or critical violation`, bad.length === 0, JSON.stringify(bad));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      check(`/${p} fits 360px without horizontal scrolling`, !overflow);
    }

    // Right to left: embedded English is marked and isolated.
    for (const p of [`ur/${advisory}`, `ur/${untranslated}`]) {
      await page.goto(base + p, { waitUntil: 'load' });
      const stray = await page.evaluate(() => {
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const node = walker.currentNode;
          if (!/[A-Za-z]/.test(node.textContent)) continue;
          if (node.parentElement.closest('[lang="en"], bdi, code, script, style')) continue;
          out.push(node.textContent.trim().slice(0, 50));
        }
        return out;
      });
      check(`/${p}: no Latin text outside lang="en", <bdi> or <code>`, stray.length === 0, JSON.stringify(stray));
    }

    // A ticked measure survives a reload; progress counts it.
    await page.goto(base + advisory, { waitUntil: 'load' });
    const boxes = page.locator('section.checklist input[data-measure]');
    const total = await boxes.count();
    check('advisory page has a checklist', total > 0, `${total} items`);
    const first = boxes.first();
    const measure = await first.getAttribute('data-measure');
    await first.check();
    await page.reload({ waitUntil: 'load' });
    const after = page.locator(`section.checklist input[data-measure="${measure}"]`);
    check('a ticked checklist item survives a reload', await after.isChecked());
    const progress = (await page.locator('section.checklist .progress').textContent()) || '';
    check('progress shows what is done', progress.includes(`1 of ${total}`), progress);
    const printVisible = await page.locator('section.checklist button.print').isVisible();
    check('print button appears with JavaScript', printVisible);
    check('"your ticks stay on this device" is said with JavaScript', await page.locator('section.checklist .js-only').isVisible());
    const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('bulletin:')));
    check('progress is stored by advisory and measure id', stored.some((k) => k.includes(measure)), JSON.stringify(stored));

    // The picker combines the picked classes without a reload.
    await page.goto(base + 'checklist/', { waitUntil: 'load' });
    const all = await page.locator('section.checklist li[data-classes]').count();
    await page.locator('#pick-passwords').check();
    const shown = await page.locator('section.checklist li[data-classes]:visible').count();
    check('picking a data class narrows the checklist', shown > 0 && shown < all, `${shown} of ${all}`);
    await page.locator('#pick-phone-numbers').check();
    const both = await page.locator('section.checklist li[data-classes]:visible').count();
    check('picking a second class adds its measures', both > shown, `${both} > ${shown}`);

    check('no uncaught script errors', errors.length === 0, errors.join(' | '));
    check('no request leaves the origin', outside.length === 0, outside.join(' '));
  });

  // The first screen of a phone (360×640) says who is affected, what leaked and what to
  // do now; the header's "What should I do?" leads to this advisory's steps.
  await withBrowser({ viewport: { width: 360, height: 640 } }, async (ctx) => {
    const page = await ctx.newPage();
    for (const p of [advisory, `ur/${advisory}`]) {
      await page.goto(base + p, { waitUntil: 'load' });
      const bottom = async (selector) => page.locator(selector).first().evaluate((el) => el.getBoundingClientRect().bottom);
      const leaked = await bottom('.first .leaked');
      const step = await bottom('.do-now li');
      check(`/${p}: what leaked and the first "do now" step are on the first screen`, leaked <= 640 && step <= 640,
        `data classes end at ${Math.round(leaked)} px, first step at ${Math.round(step)} px`);
      const cta = await page.locator('header a.cta').getAttribute('href');
      check(`/${p}: "What should I do?" leads to this advisory's checklist`, cta === '#checklist', cta);
    }
  });

  // Issue 26, at phone widths: the header's links line up (a link on the same row as
  // another has its baseline within 2 px of it), every checkbox and button of the checklist
  // page is at least 24×24 px (its primary button 44 px tall).
  for (const width of [360, 320]) {
    await withBrowser({ viewport: { width, height: 640 } }, async (ctx) => {
      const page = await ctx.newPage();
      for (const p of ['', 'ur/']) {
        await page.goto(base + p, { waitUntil: 'load' });
        // Where each link's text sits: the baseline, found with an empty inline-block
        // (whose bottom edge is the baseline) put in for the measurement.
        const links = await page.locator('.site-header nav a').evaluateAll((els) => els.map((e) => {
          const r = e.getBoundingClientRect();
          const probe = document.createElement('span');
          probe.style.cssText = 'display:inline-block;width:0;height:0';
          e.appendChild(probe);
          const baseline = probe.getBoundingClientRect().bottom;
          probe.remove();
          return { text: e.textContent, top: r.top, bottom: r.bottom, baseline };
        }));
        const off = [];
        for (const a of links) for (const b of links) {
          if (a !== b && a.top < b.bottom && b.top < a.bottom && Math.abs(a.baseline - b.baseline) > 2) off.push(`${a.text} ${a.baseline.toFixed(1)} / ${b.text} ${b.baseline.toFixed(1)}`);
        }
        check(`/${p} at ${width}px: the header's links line up`, off.length === 0, off.join('; '));
        await page.goto(base + p + 'checklist/', { waitUntil: 'load' });
        const small = await page.locator('main input[type=checkbox], main button').evaluateAll((els) => els
          .filter((e) => e.offsetParent !== null)
          .map((e) => { const r = e.getBoundingClientRect(); return { id: e.id || e.textContent.trim(), w: r.width, h: r.height }; })
          .filter((r) => r.w < 24 || r.h < 24));
        check(`/${p}checklist/ at ${width}px: every checkbox and button is at least 24×24 px`, small.length === 0, JSON.stringify(small));
        const submit = await page.locator('form.picker button[type=submit]').evaluate((e) => e.getBoundingClientRect().height);
        check(`/${p}checklist/ at ${width}px: the picker's button is at least 44 px tall`, submit >= 44, `${submit} px`);
      }
    });
  }

  // Whether a heading's "#" wraps alone depends on the exact width: every width a phone
  // or a narrow window may have, 280 to 480 px, in steps of 4.
  await withBrowser({}, async (ctx) => {
    const page = await ctx.newPage();
    for (const p of ['', 'ur/']) {
      for (const a of ['advisories/PK-2025-0007/', 'advisories/PK-2025-0004/', 'advisories/PK-2025-0008/', 'advisories/PK-2025-0010/', 'advisories/PK-2024-0003/', 'advisories/PK-2024-0011/']) {
        const res = await page.goto(base + p + a, { waitUntil: 'load' });
        if (!res || res.status() !== 200) continue;
        const alone = [];
        for (let width = 280; width <= 480; width += 4) {
          await page.setViewportSize({ width, height: 640 });
          const headings = await page.locator('main a.anchor').evaluateAll((anchors) => anchors.filter((a) => {
            const range = document.createRange();
            range.setStart(a.parentElement, 0);
            range.setEndBefore(a);
            const rects = [...range.getClientRects()].filter((r) => r.width > 0);
            const last = rects[rects.length - 1];
            return !last || Math.abs(last.bottom - a.getBoundingClientRect().bottom) > 4;
          }).map((a) => a.parentElement.textContent));
          if (headings.length) alone.push(`${width}px: ${headings.join(' | ')}`);
        }
        check(`/${p}${a} at 280–480px: no heading anchor on a line of its own`, alone.length === 0, alone.slice(0, 3).join('; '));
      }
    }
  });

  await withBrowser({ javaScriptEnabled: false }, async (ctx) => {
    const page = await ctx.newPage();
    for (const p of pages) {
      await page.goto(base + p, { waitUntil: 'load' });
      const text = ((await page.locator('main').innerText()) || '').trim();
      check(`/${p} shows its content with JavaScript off`, text.length > 100, `${text.length} chars`);
    }
    await page.goto(base + advisory, { waitUntil: 'load' });
    const items = await page.locator('section.checklist li:visible').count();
    check('the checklist is readable with JavaScript off', items > 0, `${items} items`);
    check('"your ticks stay on this device" is not said without JavaScript', !(await page.locator('section.checklist .js-only').isVisible()));
    await page.goto(base + 'checklist/', { waitUntil: 'load' });
    const measures = await page.locator('section.checklist li:visible').count();
    check('the standalone checklist lists every measure with JavaScript off', measures > 0, `${measures} items`);
    // The picker's answer opens at the list, past the picker.
    await page.locator('#pick-passwords').check();
    await Promise.all([page.waitForNavigation(), page.locator('form.picker button[type=submit]').click()]);
    const top = await page.locator('#checklist').evaluate((el) => el.getBoundingClientRect().top);
    check('without JavaScript the picker leads to the list, in view', page.url().includes('#checklist') && top < 200, `${page.url()} list at ${Math.round(top)} px`);
  });
} catch (e) {
  check('browser run', false, String(e && e.stack || e));
} finally {
  if (server) server.close();
}

const failed = results.filter((r) => !r.ok).length;
console.log(`browser: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
