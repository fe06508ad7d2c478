import { test, expect, createAccount, logIn, hydrated, uniqueEmail, PASSWORD } from './helpers.mjs';

/** The sealed record the portal keeps in IndexedDB, as a script of the page sees it. */
async function keptRecord(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open('portal-vault', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('kept');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    const rec = await new Promise((ok) => {
      const g = db.transaction('kept').objectStore('kept').get('user-key');
      g.onsuccess = () => ok(g.result);
    });
    db.close();
    if (!rec) return null;
    const exported = await crypto.subtle.exportKey('raw', rec.key).then(() => 'exported', () => 'refused');
    return { extractable: rec.key.extractable, exported, sealedBytes: rec.sealed.byteLength, user: rec.user };
  });
}

async function openMyAccount(page) {
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'My account' }).click();
  await expect(page.getByRole('heading', { name: 'Vault timeout' })).toBeVisible();
}

test('vault timeout: reloads and new tabs stay unlocked, expire, lock together, log out, end with the browser', async ({ page, context, pageErrors }) => {
  const email = uniqueEmail('timeout');
  await createAccount(page, { email, name: 'Tia Timeout' });
  await expect(page).toHaveURL(/\/vault$/);

  // Today's behaviour is the default: a reload locks.
  await openMyAccount(page);
  const choice = page.getByRole('combobox', { name: 'Vault timeout' });
  await expect(choice).toHaveValue('refresh');
  await expect(page.getByText('Every reload or new tab asks for your master password.')).toBeVisible();
  expect(await keptRecord(page), 'nothing is kept for "On browser refresh"').toBeNull();

  // 15 minutes: the key is sealed in this browser, under a key no script can read.
  await choice.selectOption({ label: '15 minutes' });
  await expect(page.getByRole('status').filter({ hasText: 'Saved for this browser.' })).toBeVisible();
  await page.getByRole('region', { name: 'Vault timeout' }).screenshot({ path: 'test-results/vault-timeout-card.png' });
  await expect.poll(() => keptRecord(page).then((r) => r && r.exported)).toBe('refused');
  const rec = await keptRecord(page);
  expect(rec.extractable).toBe(false);
  expect(rec.sealedBytes, 'a 64-byte user key and the 16-byte GCM tag').toBe(80);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  expect(stored).not.toMatch(/[A-Za-z0-9+/]{80,}/); // no key material in web storage or cookies

  // A reload and a new tab open unlocked.
  await page.goto('/vault');
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'New item' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Your vault is locked' })).toHaveCount(0);
  const tab = await context.newPage();
  await tab.goto('/vault');
  await hydrated(tab);
  await expect(tab.getByRole('button', { name: 'New item' })).toBeVisible();

  // Past the deadline (no activity for 15 minutes, here moved back), both tabs lock.
  await tab.evaluate(() => localStorage.setItem('pp_vault_deadline', String(Date.now() - 1000)));
  for (const p of [page, tab]) {
    await expect(p.getByRole('heading', { name: 'Your vault is locked' })).toBeVisible({ timeout: 15_000 });
    await expect(p.getByText('Your vault locked after 15 minutes without activity (your vault timeout).')).toBeVisible();
  }
  expect(await keptRecord(page), 'expired keys are deleted').toBeNull();

  // Unlock in one tab; the other opens unlocked on its next load; Lock in one locks both.
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('button', { name: 'New item' })).toBeVisible();
  await tab.reload();
  await hydrated(tab);
  await expect(tab.getByRole('button', { name: 'New item' })).toBeVisible();
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Your vault is locked' })).toBeVisible();
  await expect(tab.getByRole('heading', { name: 'Your vault is locked' })).toBeVisible();
  await tab.close();

  // "Log out" as the action: with "On browser refresh", a reload logs out.
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('button', { name: 'New item' })).toBeVisible();
  await openMyAccount(page);
  await choice.selectOption({ label: 'On browser refresh' });
  await page.getByRole('radio', { name: 'Log out' }).check();
  await expect(page.getByRole('status').filter({ hasText: 'Every reload or new tab asks for your master password.' })).toBeVisible();
  expect(await keptRecord(page)).toBeNull();
  // The reloaded My account page starts loading its cards while the vault
  // timeout logs it out: a card's request that reaches the server after the
  // session ended is refused (401) as the page leaves; nothing else may fail.
  pageErrors.allow(/\(#1 \/settings\/account\) Failed to load resource: the server responded with a status of 401/);
  await page.reload();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText('You were logged out by your vault timeout (on browser refresh, then log out).')).toBeVisible();

  // "On browser restart": reloads stay unlocked until the browser session ends.
  await logIn(page, email);
  await expect(page).toHaveURL(/\/vault$/);
  await openMyAccount(page);
  await page.getByRole('radio', { name: 'Lock' }).check();
  await choice.selectOption({ label: 'On browser restart' });
  await expect(page.getByRole('status').filter({ hasText: 'until you close the browser' })).toBeVisible();
  await expect.poll(() => keptRecord(page).then((r) => r && r.user)).not.toBeNull();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Vault timeout' })).toBeVisible();
  await expect(choice).toHaveValue('restart');
  await page.goto('/vault');
  await expect(page.getByRole('button', { name: 'New item' })).toBeVisible();
  // A closed browser forgets its session cookies: the tag goes, and the kept key with it.
  await context.clearCookies({ name: 'pp_browser_session' });
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Your vault is locked' })).toBeVisible();
  await expect.poll(() => keptRecord(page)).toBeNull();
  await page.screenshot({ path: 'test-results/vault-timeout-locked.png', fullPage: true });
});
