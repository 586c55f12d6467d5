#!/usr/bin/env node
// Search in Debian's chromium, both ways (tests/it/search.rs compares the answers):
//   node search.mjs STATIC_DIR SERVED_URL QUERIES.json
// QUERIES.json is a list of page addresses ("search/?q=jazz", "ur/search/?q=…").
// Each is opened on the static build (served here as files, JavaScript on: the page's
// script searches /search/index/) and on `bulletin serve` (JavaScript off: the server
// answers). Prints JSON: for each query and way, the advisory ids shown (in order), the
// status line, and the address the page ended at (an exact id goes to the advisory).
// Also checks, printing "ok"/"FAIL" lines on stderr and exiting 1 on a failure: with
// JavaScript off the static page says search needs it and offers the archive; results
// pages pass axe-core (WCAG 2.1 A/AA) both ways; no request leaves the origin.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [dir, served, queriesFile] = process.argv.slice(2);
if (!dir || !served || !queriesFile) {
  console.error('usage: node search.mjs STATIC_DIR SERVED_URL QUERIES.json');
  process.exit(2);
}
const queries = JSON.parse(fs.readFileSync(queriesFile, 'utf8'));

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json' };
// Bytes of index files sent, to report what a query costs (uncompressed; the test
// reports compressed sizes from the files).
function serveDir(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(path.resolve(root))) { res.writeHead(400); res.end(); return; }
    if (file.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1'];

let failed = 0;
function check(name, ok, detail = '') {
  if (!ok) failed++;
  console.error(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

async function browser(javaScript, origin) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bulletin-search-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: FLAGS, timeout: 60000,
    viewport: { width: 360, height: 740 }, javaScriptEnabled: javaScript,
  });
  ctx.outside = [];
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (!url.startsWith(origin)) { ctx.outside.push(url); return route.abort(); }
    return route.continue();
  });
  return ctx;
}

// What a search page shows: result ids, the status line, where it ended.
async function answer(page) {
  return page.evaluate(() => ({
    ids: Array.from(document.querySelectorAll('article.card h2 a'))
      .map((a) => a.getAttribute('href').replace(/\/$/, '').split('/').pop()),
    status: (document.querySelector('[role=status]') || { textContent: null }).textContent,
    at: location.pathname,
  }));
}

async function axe(page, name) {
  // Evaluated, not added as a tag: the served page's CSP refuses inline scripts.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(`axe: ${name}`, bad.length === 0, bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`).join('; '));
}

const server = await serveDir(path.resolve(dir));
const staticBase = `http://127.0.0.1:${server.address().port}/`;
const servedBase = served.endsWith('/') ? served : `${served}/`;
const out = {};

const withJs = await browser(true, `http://127.0.0.1:`);
const page = await withJs.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
for (const q of queries) {
  await page.goto(staticBase + q);
  // The script shows a status line, or goes to the advisory of an exact id.
  await page.waitForFunction(() => document.querySelector('#search-results [role=status]') || !/\/search\/$/.test(location.pathname), null, { timeout: 20000 });
  out[q] = { static: await answer(page) };
}
await page.goto(staticBase + 'search/?q=cnic');
await page.waitForSelector('#search-results [role=status]');
await axe(page, 'static results (JavaScript on)');
check('static: the "needs JavaScript" note is hidden when it runs', await page.locator('#search-static').isHidden());
await page.goto(staticBase + 'ur/search/?q=cnic');
await page.waitForSelector('#search-results [role=status]');
await axe(page, 'static Urdu results (JavaScript on)');
// axe needs JavaScript; the served page has no script of its own either way.
await page.goto(servedBase + 'search/?q=cnic');
await axe(page, 'served results');
check('static: no script errors', errors.length === 0, errors.join('; '));
check('static: no request leaves the origin', withJs.outside.length === 0, withJs.outside.join(' '));
await withJs.close();

const noJs = await browser(false, `http://127.0.0.1:`);
const plain = await noJs.newPage();
for (const q of queries) {
  await plain.goto(servedBase + q);
  out[q].served = await answer(plain);
}
await plain.goto(staticBase + 'search/?q=cnic');
const note = plain.locator('#search-static');
check('static, JavaScript off: the page says search needs JavaScript',
  await note.isVisible() && /JavaScript/.test(await note.textContent()));
check('static, JavaScript off: it offers the archive', await note.locator('a[href$="advisories/"]').count() === 1);
check('served: no request leaves the origin', noJs.outside.length === 0, noJs.outside.join(' '));
await noJs.close();
server.close();
console.log(JSON.stringify(out, null, 1));
process.exit(failed ? 1 : 0);
