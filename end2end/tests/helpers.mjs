import { test as base, expect } from '@playwright/test';

/** `test` that echoes browser errors into the test output. */
export const test = base.extend({
  page: async ({ page }, use) => {
    page.on('console', (m) => { if (m.type() === 'error') console.log(`[browser] ${m.text()}`); });
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    await use(page);
  },
});
export { expect };
import AxeBuilder from '@axe-core/playwright';

export const PASSWORD = 'correct horse battery staple 42';

export function uniqueEmail(tag) {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Waits until the page is hydrated (the wasm bundle has taken over). */
export async function hydrated(page) {
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60_000 });
}

export async function createAccount(page, { email, name, password = PASSWORD, next }) {
  await page.goto(next ? `/register?next=${encodeURIComponent(next)}` : '/register');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Master password', { exact: true }).fill(password);
  await page.getByLabel('Confirm master password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

export async function logIn(page, email, password = PASSWORD) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Master password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function expectNoAxeViolations(page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, 'axe-core violations').toEqual([]);
}

/** Calls a server function as the page's signed-in user. */
export async function callApi(page, endpoint, body = {}) {
  return page.evaluate(async ([endpoint, body]) => {
    const r = await fetch(`/api/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, [endpoint, body]);
}

export async function mailsTo(address) {
  const r = await fetch(`http://127.0.0.1:2526/messages?to=${encodeURIComponent(address)}`);
  return r.json();
}

export async function waitForMail(address, subjectPart) {
  for (let i = 0; i < 100; i++) {
    const found = (await mailsTo(address)).filter((m) => m.subject.includes(subjectPart));
    if (found.length) return found[found.length - 1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail "${subjectPart}" to ${address}`);
}
