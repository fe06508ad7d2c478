import { test as base, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `test` whose every browser context is watched: an uncaught page error, a
 * console error or a failed request for the page's own code (`/pkg/`) fails the
 * test, unless the test said it expects it (`pageErrors.allow(/pattern/)`).
 * The browser's console log of a failed test is kept next to its results
 * (`test-results/<test>/browser-console.log`) and printed.
 */
export const test = base.extend({
  pageErrors: [async ({ browser, context }, use, testInfo) => {
    const log = [];
    const problems = [];
    const allowed = [];
    const stamp = () => new Date().toISOString().slice(11, 23);
    const problem = (text) => {
      log.push(`${stamp()} !! ${text}`);
      if (!allowed.some((re) => re.test(text))) problems.push(text);
    };
    let contexts = 0;
    const watch = (ctx) => {
      // Each line names its browser context (#1, #2 …) and the page's address.
      const tag = `#${++contexts}`;
      const where = (page) => `${tag} ${page ? new URL(page.url()).pathname : ''}`;
      ctx.on('console', (m) => {
        const line = `[console.${m.type()}] (${where(m.page())}) ${m.text()}`;
        if (m.type() === 'error') problem(line);
        else log.push(`${stamp()} ${line}`);
      });
      ctx.on('weberror', (e) => problem(`[pageerror] (${where(e.page())}) ${e.error().stack || e.error().message}`));
      ctx.on('requestfailed', (r) => {
        const why = r.failure()?.errorText ?? '';
        // A preload the browser dropped because the page moved on is not a failure.
        if (new URL(r.url()).pathname.startsWith('/pkg/') && why !== 'net::ERR_ABORTED') problem(`[requestfailed] ${r.url()}: ${why}`);
        else log.push(`${stamp()} [requestfailed] ${r.url()}: ${why}`);
      });
    };
    watch(context);
    const newContext = browser.newContext;
    browser.newContext = async (...args) => {
      const ctx = await newContext.apply(browser, args);
      watch(ctx);
      return ctx;
    };
    try {
      await use({ allow: (re) => allowed.push(re) });
    } finally {
      browser.newContext = newContext;
    }
    const failed = problems.length > 0 || testInfo.status !== testInfo.expectedStatus;
    if (failed && log.length) {
      const file = testInfo.outputPath('browser-console.log');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, log.join('\n') + '\n');
      await testInfo.attach('browser-console', { path: file, contentType: 'text/plain' });
      console.log(`--- browser console of "${testInfo.title}" (kept in ${file}) ---\n${log.join('\n')}`);
    }
    if (problems.length) {
      throw new Error(`the browser reported ${problems.length} unexpected error(s):\n${problems.join('\n')}`);
    }
  }, { auto: true }],
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

/**
 * A server of a spec's own (the build under test, PORTAL_SERVER_BIN), for a
 * spec that needs another address than the shared one: `publicUrl` is its
 * PUBLIC_URL, `env` adds to (or overrides) its settings, and `healthy()` says
 * when it answers. Mail goes to the shared sink. `stop()` ends it and prints
 * what it logged (warnings and errors).
 */
export async function startServer({ port, publicUrl, dataDir, env = {}, healthy, logLevel = 'warn' }) {
  let log = '';
  const server = spawn(process.env.PORTAL_SERVER_BIN, [], {
    cwd: path.resolve('..'),
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      LEPTOS_OUTPUT_NAME: 'portal',
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_ENV: 'PROD',
      PUBLIC_URL: publicUrl,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: '2525',
      SMTP_TLS: 'false',
      RUST_LOG: logLevel,
      ...env,
    },
  });
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  for (let i = 0; i < 100 && !(await healthy()); i++) await new Promise((r) => setTimeout(r, 200));
  if (!(await healthy())) {
    server.kill();
    throw new Error(`the server at ${publicUrl} did not start:\n${log}`);
  }
  return {
    stop() {
      server.kill();
      if (log.trim()) console.log(`--- server log (warnings and errors) ---\n${log}`);
    },
  };
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

export /** RFC 6238 code of a base32 key at unix second `t` (SHA-1, 6 digits, 30 s). */
function totp(key, t) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of key) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const h = crypto.createHmac('sha1', bytes).update(counter).digest();
  const off = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
