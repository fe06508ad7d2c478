// Browser benchmarks of the Members table (Chromium, release bundle).
// BASE, PID, EMAIL name a seeded provider (server/examples/seed.rs);
// MODE=table (10,000 invited: select-all and a search keystroke) or
// MODE=confirm (accepted members: bulk confirm, click to done).
import { chromium } from '@playwright/test';
const { BASE = 'http://127.0.0.1:3300', PID, EMAIL, MODE = 'table' } = process.env;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
const page = await browser.newPage();
await page.goto(`${BASE}/login?next=${encodeURIComponent(`/providers/${PID}/members`)}`);
await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
await page.getByLabel('Email address').fill(EMAIL);
await page.getByLabel('Master password').fill('bench password 1234');
await page.getByRole('button', { name: 'Log in' }).click();
await page.getByRole('heading', { name: 'Members', exact: true }).waitFor({ timeout: 120_000 });
await page.getByRole('checkbox', { name: 'Select all' }).waitFor({ timeout: 120_000 });
const ms = async (f) => { const t = Date.now(); await f(); return Date.now() - t; };
if (MODE === 'table') {
  const total = await page.getByRole('tab', { name: /All/ }).locator('.count').textContent();
  const selectAll = await ms(async () => {
    await page.getByRole('checkbox', { name: 'Select all' }).click();
    await page.getByText(`${total} selected`).waitFor();
  });
  console.log(`members table, ${total} members: select all ${selectAll} ms`);
  await page.getByLabel('Search members').fill('member0999');
  await page.waitForFunction(() => document.querySelectorAll('table.members tbody tr').length === 10);
  const keystroke = await ms(async () => {
    await page.getByLabel('Search members').press('8');
    await page.waitForFunction(() => document.querySelectorAll('table.members tbody tr').length === 1);
  });
  console.log(`members table, ${total} members: search keystroke to updated table ${keystroke} ms`);
} else {
  await page.getByRole('tab', { name: /Needs confirmation/ }).click();
  const n = await page.getByRole('tab', { name: /Needs confirmation/ }).locator('.count').textContent();
  await page.getByRole('checkbox', { name: 'Select all' }).click();
  await page.getByRole('button', { name: 'Bulk actions' }).click();
  const t0 = Date.now();
  await page.getByRole('menuitem', { name: 'Confirm selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm members' });
  await dialog.locator('.fingerprints li').nth(Number(n) - 1).waitFor({ timeout: 120_000 });
  const shown = Date.now() - t0;
  const done = await ms(async () => {
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('dialog', { name: 'Results' }).getByText(`${n} done, 0 skipped`).waitFor({ timeout: 120_000 });
  });
  console.log(`bulk confirm of ${n} members: dialog with every fingerprint phrase ${shown} ms, Confirm click to done ${done} ms (sealing ${n} keys in the browser + one request)`);
}
await browser.close();
