// Security keys (FIDO2 WebAuthn) as the second step of a log-in, with
// Chromium's virtual authenticators (DevTools protocol) standing in for a
// YubiKey. WebAuthn binds a key to a domain name, never an IP address, so this
// file starts its own server, the build under test, at http://localhost
// (a secure context, as HTTPS is): PUBLIC_URL names the relying party.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test, expect, createAccount, uniqueEmail, waitForMail, PASSWORD, startServer } from './helpers.mjs';

test.describe.configure({ mode: 'serial' });

const PORT = Number(process.env.E2E_KEY_PORT || 3102);
const BASE = `http://localhost:${PORT}`;
let server;

function healthy() {
  return new Promise((resolve) => {
    http.get(`http://127.0.0.1:${PORT}/healthz`, (r) => { r.resume(); resolve(r.statusCode === 200); }).on('error', () => resolve(false));
  });
}

test.beforeAll(async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-keys-'));
  server = await startServer({ port: PORT, publicUrl: BASE, dataDir: `${work}/data`, logLevel: process.env.KEY_SPEC_LOG || 'warn', healthy });
});

test.afterAll(async () => {
  server?.stop();
});

/** A USB security key plugged into this page's browser (touched at once when asked). */
async function plugInKey(cdp) {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return authenticatorId;
}

test('security keys: registered under My account, a second key added and the first removed, and the log-in asks for the key', async ({ browser, pageErrors }) => {
  // A wrong password and the log-in that asks for the key are 422 answers on purpose.
  pageErrors.allow(/status of 422/);
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const first = await plugInKey(cdp);

  const email = uniqueEmail('keys');
  await createAccount(page, { email, name: 'Kim Keys' });
  await expect(page).toHaveURL(/\/vault$/);
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'My account' }).click();
  const card = page.getByRole('region', { name: 'Two-step login' });
  await expect(card.getByRole('status')).toContainText('Off');
  await card.getByRole('radio', { name: /^Security key/ }).check();
  await card.getByLabel('Master password to turn on two-step login').fill(PASSWORD);
  await card.getByRole('button', { name: 'Turn on two-step login' }).click();
  // A name is asked for first, and an empty one is refused in the page.
  await card.getByLabel('Security key name').fill('   ');
  await card.getByRole('button', { name: 'Register security key' }).click();
  await expect(card.getByText(/Name the security key/)).toBeVisible();
  await card.getByLabel('Security key name').fill('Work key');
  await page.screenshot({ path: 'test-results/security-key-name.png', fullPage: true });
  await card.getByRole('button', { name: 'Register security key' }).click();
  const recovery = (await card.getByTestId('recovery-code').textContent()).trim();
  expect(recovery).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
  await card.getByRole('button', { name: 'I saved it' }).click();
  await expect(card.getByRole('status')).toContainText('On Security keys, since');
  const keys = card.getByRole('list', { name: 'Security keys' });
  await expect(keys.getByRole('listitem')).toHaveCount(1);
  await expect(keys.getByRole('listitem')).toContainText('Work key');
  await expect(keys.getByRole('listitem')).toContainText('not used yet');
  await expect(keys.getByRole('button', { name: 'Remove Work key' })).toBeDisabled();
  expect((await waitForMail(email, 'Two-step login is on')).text).toContain('your security key');
  const [registered] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId: first })).credentials;
  expect(registered.rpId).toBe('localhost');

  // The same key again is refused by the browser (the server lists it as taken).
  await card.getByLabel('Master password to add a key or turn off two-step login').fill(PASSWORD);
  await card.getByRole('button', { name: 'Add a security key' }).click();
  await card.getByLabel('Security key name').fill('Same key');
  await card.getByRole('button', { name: 'Register security key' }).click();
  await expect(card.getByText('This security key is already registered to your account.')).toBeVisible();
  await card.getByRole('button', { name: 'Cancel' }).click();

  // A second key is added; then the first is removed, and the last cannot be.
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first });
  const second = await plugInKey(cdp);
  await card.getByLabel('Master password to add a key or turn off two-step login').fill(PASSWORD);
  await card.getByRole('button', { name: 'Add a security key' }).click();
  await card.getByLabel('Security key name').fill('Backup key');
  await card.getByRole('button', { name: 'Register security key' }).click();
  await expect(card.getByText('Security key added.')).toBeVisible();
  await expect(keys.getByRole('listitem')).toHaveCount(2);
  await page.screenshot({ path: 'test-results/security-keys-list.png', fullPage: true });
  await keys.getByRole('button', { name: 'Remove Work key' }).click();
  await expect(card.getByText('Security key removed.')).toBeVisible();
  await expect(keys.getByRole('listitem')).toHaveCount(1);
  await expect(keys.getByRole('button', { name: 'Remove Backup key' })).toBeDisabled();

  // Logged out, the password alone does not log in: the key is asked for.
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Two-step login' })).toBeVisible();
  await expect(page.getByText(`Use your security key or passkey for ${email}`)).toBeVisible();
  await page.screenshot({ path: 'test-results/security-key-login.png', fullPage: true });
  await expect(page).toHaveURL(/\/login/);
  await page.getByRole('button', { name: 'Use security key' }).click();
  await expect(page).toHaveURL(/\/vault$/);
  await expect(page.getByRole('heading', { name: 'Vault', exact: true })).toBeVisible();
  const [used] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId: second })).credentials;
  expect(used.signCount).toBeGreaterThanOrEqual(1);

  // The key's use is on its line; the recovery code still turns it all off.
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'My account' }).click();
  await expect(keys.getByRole('listitem')).toContainText('last used');
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/vault$/);
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'My account' }).click();
  await expect(card.getByRole('status')).toContainText('Off');
  await expect(keys).toHaveCount(0);
  await context.close();
});
