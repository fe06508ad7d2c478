// Sign-up in Chromium against a running release server (BASE): how long the
// browser spends deriving the master key (Argon2id 64 MiB / 3 / 4, the kdf
// module) and generating the RSA-2048 key pair, read off the Create account
// button's progress text ("Deriving your master key…" → "Generating your key
// pair…" → "Creating account…"). RSA generation time varies with the primes
// it happens to draw: RUNS sign-ups (default 10), median and range printed.
// The server allows 20 uninvited sign-ups an hour per address: RUNS ≤ 20 per
// fresh server database.
import { chromium } from '@playwright/test';

const { BASE = 'http://127.0.0.1:3300', RUNS = '10' } = process.env;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
const derive = [], keygen = [], total = [];
for (let i = 0; i < Number(RUNS); i++) {
  const page = await (await browser.newContext()).newPage();
  await page.addInitScript(() => {
    window.__stages = [];
    new MutationObserver(() => {
      const b = document.querySelector('button[type=submit]');
      const t = b?.textContent?.trim();
      if (t && window.__stages.at(-1)?.[0] !== t) window.__stages.push([t, performance.now()]);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto(`${BASE}/register`);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByLabel('Email address').fill(`bench-signup-${Date.now()}-${i}@example.com`);
  await page.getByLabel('Name', { exact: true }).fill('Bench Signup');
  await page.getByLabel('Master password', { exact: true }).fill('a long bench master password 2026');
  await page.getByLabel('Confirm master password').fill('a long bench master password 2026');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/vault$/, { timeout: 60_000 });
  const [stages, end] = await page.evaluate(() => [window.__stages, performance.now()]);
  // Each text's first time after the previous one (the button says
  // "Creating account…" for a moment before the derivation starts, too).
  const after = (t, from) => stages.find(([s, at]) => s === t && at >= from)?.[1];
  const d = after('Deriving your master key…', 0);
  const g = after('Generating your key pair…', d ?? Infinity);
  const c = after('Creating account…', g ?? Infinity);
  if (d === undefined || g === undefined || c === undefined) throw new Error(`progress texts not seen: ${JSON.stringify(stages)}`);
  derive.push(g - d);
  keygen.push(c - g);
  total.push(end - d);
  await page.context().close();
}
await browser.close();
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${med(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
console.log(`sign-up in Chromium, ${RUNS} runs`);
console.log(`  master key (Argon2id 64 MiB/3/4, kdf module): ${fmt(derive)}`);
console.log(`  RSA-2048 key pair + wrapping:                 ${fmt(keygen)}`);
console.log(`  click → signed in, on the vault:              ${fmt(total)}`);
