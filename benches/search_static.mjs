#!/usr/bin/env node
// What a search costs a reader of the static site: opens SITE_DIR/search/?q=… in
// Debian's chromium (JavaScript on) for each query and counts the bytes sent, as a
// static host with precompressed files sends them (brotli when the browser asks).
//   node benches/search_static.mjs SITE_DIR QUERY…
// For each query: the index files fetched and their bytes, and the whole page load
// with a cold cache (HTML, CSS, script and index) and a warm one (the page and the
// assets cached, as for a second search).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/browser/', import.meta.url).pathname);
const { chromium } = require('playwright-core');
const [dir, ...queries] = process.argv.slice(2);
const root = path.resolve(dir);
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json' };

let sent = [];
const server = http.createServer((req, res) => {
  let file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (file.endsWith('/')) file = path.join(file, 'index.html');
  const headers = { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', vary: 'accept-encoding' };
  if (/\.(css|js)$/.test(file)) headers['cache-control'] = 'public, max-age=31536000, immutable';
  if (/br/.test(req.headers['accept-encoding'] || '') && fs.existsSync(`${file}.br`)) {
    headers['content-encoding'] = 'br';
    file = `${file}.br`;
  }
  fs.readFile(file, (err, data) => {
    if (err) { res.writeHead(404); res.end(); return; }
    sent.push({ url: req.url, bytes: data.length });
    res.writeHead(200, headers);
    res.end(data);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bulletin-bench-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await ctx.newPage();
const sum = (list) => list.reduce((n, r) => n + r.bytes, 0);
for (const q of queries) {
  for (const cache of ['cold', 'warm']) {
    if (cache === 'cold') {
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
    }
    sent = [];
    const started = Date.now();
    await page.goto(`${base}search/?q=${encodeURIComponent(q)}`);
    await page.waitForSelector('#search-results [role=status]', { timeout: 60000 });
    const ms = Date.now() - started;
    const shown = await page.locator('#search-results article').count();
    const status = await page.locator('#search-results [role=status]').textContent();
    const index = sent.filter((r) => r.url.includes('/search/index/'));
    console.log(`${JSON.stringify(q)} ${cache}: ${(sum(sent) / 1024).toFixed(1)} KB in ${sent.length} requests ` +
      `(index ${(sum(index) / 1024).toFixed(1)} KB in ${index.length} files: terms ` +
      `${(sum(index.filter((r) => r.url.includes('/t/'))) / 1024).toFixed(1)} KB, cards ` +
      `${(sum(index.filter((r) => r.url.includes('/d/'))) / 1024).toFixed(1)} KB); ${shown} shown of "${status}"; ${ms} ms`);
  }
}
await ctx.close();
server.close();
