// Argon2id at the default parameters in Chromium's wasm (release bundle).
// Needs a portal running at BASE (default http://127.0.0.1:3300).
import { chromium } from '@playwright/test';
const base = process.env.BASE || 'http://127.0.0.1:3300';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
const page = await browser.newPage();
const t0 = Date.now();
await page.goto(base + '/login');
await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
const hydrate = await page.evaluate(() => performance.now());
const runs = await page.evaluate(async () => (await import('/pkg/portal.js')).kdf_benchmark(6));
const warm = runs.slice(1).sort((a, b) => a - b);
console.log(`chromium wasm argon2id 64 MiB/3/4: first ${runs[0].toFixed(0)} ms, warm median ${warm[Math.floor(warm.length / 2)].toFixed(0)} ms (runs ${runs.map((r) => r.toFixed(0)).join(', ')})`);
console.log(`login page: hydrated ${hydrate.toFixed(0)} ms after navigation start (wall ${Date.now() - t0} ms)`);
await browser.close();
