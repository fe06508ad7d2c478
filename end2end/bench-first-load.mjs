// First-load transfer, measured in Chromium as its network panel counts it:
// every response a cold page gets until the network is idle, headers and
// (compressed) body, through `request.sizes()`. The release server sends the
// brotli copies `scripts/build-site.sh` made. Also listed: each file's brotli
// size (quality 11), the files under 4 KB together, the time from navigation
// to hydrated (`body[data-hydrated]`), and what the page fetched after it was
// hydrated (the body of a page behind the unlock panel, fetched while the
// person types their master password; in the total, since the network panel
// counts it too).
// BASE names a running release server; TOKEN (a session cookie) and PID (a
// provider id, server/examples/seed.rs) add the signed-in Members page.
import { chromium } from '@playwright/test';
import { brotliCompressSync, constants } from 'node:zlib';

// LINK="50,20" emulates a 50 ms round trip at 20 Mbit/s (the time to hydrated
// then says what a person waits; the byte counts do not change).
const { BASE = 'http://127.0.0.1:3300', TOKEN, PID, LINK } = process.env;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });

async function firstLoad(label, path, cookie) {
  const context = await browser.newContext();
  if (cookie) await context.addCookies([{ name: 'pp_session', value: cookie, url: BASE }]);
  const page = await context.newPage();
  if (LINK) {
    // A person's connection, not localhost: round-trip latency and bandwidth (CDP).
    const [latency, mbit] = LINK.split(',').map(Number);
    const cdp = await context.newCDPSession(page);
    const bytesPerSecond = (mbit * 1_000_000) / 8;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond });
  }
  // When the page is hydrated, on the page's own clock (resource timings use it).
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.body?.dataset.hydrated === 'true') { window.__hydratedAt = performance.now(); obs.disconnect(); }
    }).observe(document.documentElement, { attributes: true, subtree: true, childList: true });
  });
  // Bodies are only collected while the page loads, and compressed once it is
  // hydrated: compressing in the handler (quality 11 takes ~1 s per MB) held
  // up the page's own events and inflated the time to hydrate.
  const pending = [];
  const transfers = [];
  page.on('response', (r) => {
    const url = new URL(r.url());
    transfers.push(r.request().sizes().then((z) => ({ path: url.pathname, bytes: z.responseHeadersSize + z.responseBodySize }), () => null));
    if (!/\.(wasm|js|css|txt)$/.test(url.pathname)) return;
    pending.push(r.body().then((body) => ({ path: url.pathname, body }), () => null));
  });
  const t0 = Date.now();
  await page.goto(`${BASE}${path}`);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60_000 });
  const hydrate = Date.now() - t0;
  await page.waitForLoadState('networkidle');
  const { hydratedAt, starts } = await page.evaluate(() => ({
    hydratedAt: window.__hydratedAt,
    starts: performance.getEntriesByType('resource').map((e) => [new URL(e.name).pathname, e.startTime]),
  }));
  const late = new Set(starts.filter(([, t]) => hydratedAt !== undefined && t > hydratedAt).map(([p]) => p));
  const files = [];
  for (const got of await Promise.all(pending)) {
    if (!got) continue; // redirects have no body
    const br = brotliCompressSync(got.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    const lazy = /\/(strength|kdf|fingerprint)\//.test(got.path);
    files.push({ path: got.path, raw: got.body.length, br, lazy, after: !lazy && late.has(got.path) });
  }
  const sent = (await Promise.all(transfers)).filter(Boolean);
  await context.close();
  files.sort((a, b) => a.path.localeCompare(b.path));
  let raw = 0, br = 0;
  const line = (name, r, b, note = '') => console.log(`${label.padEnd(14)} ${name.padEnd(56)} raw ${String(r).padStart(9)} B   brotli ${String(b).padStart(8)} B${note}`);
  const small = { n: 0, raw: 0, br: 0 };
  const after = { n: 0, raw: 0, br: 0 };
  for (const f of files) {
    if (f.after) { after.n += 1; after.raw += f.raw; after.br += f.br; continue; }
    if (!f.lazy) { raw += f.raw; br += f.br; }
    if (f.br < 4096 && !f.lazy) { small.n += 1; small.raw += f.raw; small.br += f.br; continue; }
    line(f.path, f.raw, f.br, f.lazy ? '   (lazy module: in the network total only)' : '');
  }
  if (small.n) line(`${small.n} files under 4 KB brotli, together`, small.raw, small.br);
  if (after.n) line(`${after.n} files fetched after hydration (in the network total only)`, after.raw, after.br);
  console.log(`${label.padEnd(14)} ${files.length} files fetched, ${files.length - after.n} of them before hydration`);
  console.log(`${label.padEnd(14)} wasm + js + css until hydrated: raw ${raw} B, brotli ${br} B; navigation to hydrated ${hydrate} ms`);
  const total = sent.reduce((n, t) => n + t.bytes, 0);
  const verdict = total <= BUDGET_BYTES && sent.length <= BUDGET_RESPONSES ? 'within' : 'OVER';
  console.log(`${label.padEnd(14)} FIRST LOAD (network panel, until idle): ${sent.length} responses, ${total} B transferred, headers included — ${verdict} the budget (${BUDGET_BYTES} B in ${BUDGET_RESPONSES} responses)`);
}

// Issue #19 / #20: each entry page under 300 KB in at most 20 responses.
const BUDGET_BYTES = 300_000;
const BUDGET_RESPONSES = 20;

await firstLoad('login', '/login');
await firstLoad('register', '/register');
// An invitation link: an unknown token shows "no longer valid" with the same
// code as a live one (the page's chunk, its server call).
await firstLoad('invitation', '/accept-invite?token=bench-unknown-token');
if (TOKEN && PID) await firstLoad('members', `/providers/${PID}/members`, TOKEN);
await browser.close();
