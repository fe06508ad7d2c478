// Bitwarden's own `bw` CLI (npm @bitwarden/cli, pinned in package.json)
// against the portal. The apps refuse plain HTTP, so this file starts its own
// server, the build under test, with the TLS listener (TLS_CERT / TLS_KEY) and
// a certificate made here, trusted by `bw` through NODE_EXTRA_CA_CERTS and by
// the browser through ignoreHTTPSErrors.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { test, expect, createAccount, hydrated, uniqueEmail, waitForMail, mailsTo, PASSWORD, totp, startServer } from './helpers.mjs';

test.describe.configure({ mode: 'serial' });

const PORT = Number(process.env.E2E_BW_PORT || 3101);
const BASE = `https://127.0.0.1:${PORT}`;
const BW = path.resolve('node_modules/.bin/bw');
const TOTP_KEY = 'JBSWY3DPEHPK3PXP';
let work;
let server;

function healthy(ca) {
  return new Promise((resolve) => {
    https.get(`${BASE}/healthz`, { ca }, (r) => { r.resume(); resolve(r.statusCode === 200); }).on('error', () => resolve(false));
  });
}

test.beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bw-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${work}/key.pem`, '-out', `${work}/cert.pem`], { stdio: 'ignore' });
  const ca = fs.readFileSync(`${work}/cert.pem`);
  server = await startServer({
    port: PORT,
    publicUrl: BASE,
    dataDir: `${work}/data`,
    env: { TLS_CERT: `${work}/cert.pem`, TLS_KEY: `${work}/key.pem` },
    logLevel: process.env.BW_SPEC_LOG || 'warn',
    healthy: () => healthy(ca),
  });
});

test.afterAll(async () => {
  server?.stop();
});

/** One installation of `bw`: its own data folder, this server's certificate. */
function bwClient() {
  const data = fs.mkdtempSync(path.join(work, 'bw-'));
  const env = { ...process.env, BITWARDENCLI_APPDATA_DIR: data, NODE_EXTRA_CA_CERTS: `${work}/cert.pem`, BW_NOINTERACTION: 'true' };
  const run = (...args) => {
    try {
      return execFileSync(BW, args, { env, encoding: 'utf8', timeout: 90_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (e) {
      throw new Error(`bw ${args[0]} failed (${e.status}): ${e.stderr || e.stdout || e.message}`);
    }
  };
  run('config', 'server', BASE);
  return {
    run,
    env,
    logIn(email, password = PASSWORD) { env.BW_SESSION = run('login', email, password, '--raw'); },
    /** `bw login --apikey`, then `bw unlock` with the master password. */
    logInWithApiKey(clientId, clientSecret) {
      Object.assign(env, { BW_CLIENTID: clientId, BW_CLIENTSECRET: clientSecret, BW_PASSWORD: PASSWORD });
      run('login', '--apikey');
      env.BW_SESSION = run('unlock', '--passwordenv', 'BW_PASSWORD', '--raw');
    },
    json(...args) { return JSON.parse(run(...args)); },
    create(kind, item) {
      return JSON.parse(run('create', kind, Buffer.from(JSON.stringify(item)).toString('base64')));
    },
  };
}

/** A fresh page load is locked: unlock it with the master password. */
async function unlock(page, url) {
  await page.goto(url);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60_000 });
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

/** Settings → My account → API key: a new key, as the page shows it once. */
async function createApiKey(page) {
  await page.goto('/settings/account');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60_000 });
  const card = page.getByRole('region', { name: 'API key' });
  await card.getByLabel('Master password for the API key').fill(PASSWORD);
  await card.getByRole('button', { name: 'Create API key' }).click();
  return { clientId: await card.getByLabel('client_id').inputValue(), clientSecret: await card.getByLabel('client_secret').inputValue() };
}

/** An app keeping the notifications hub open (hub-listen.mjs: Microsoft's
 * SignalR client set up as Bitwarden's apps set it up); `next(test)` waits for
 * the first line it printed that passes `test`. */
function hubListener(clientId, clientSecret) {
  const child = spawn(process.execPath, [path.resolve('hub-listen.mjs'), BASE, clientId, clientSecret], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: `${work}/cert.pem` },
  });
  const lines = [];
  const waiting = [];
  let rest = '';
  let errors = '';
  child.stderr.on('data', (d) => { errors += d; });
  child.stdout.on('data', (d) => {
    rest += d;
    const parts = rest.split('\n');
    rest = parts.pop();
    for (const part of parts.filter(Boolean)) {
      lines.push(JSON.parse(part));
      for (const w of [...waiting]) w();
    }
  });
  return {
    lines,
    stop() { child.kill(); },
    next(test, timeout = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(test);
          if (!found) return false;
          waiting.splice(waiting.indexOf(check), 1);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(check), 1);
          reject(new Error(`the app did not hear it; it printed:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n${errors}`));
        }, timeout);
        waiting.push(check);
        check();
      });
    },
  };
}

async function portalPage(browser) {
  const context = await browser.newContext({ baseURL: BASE, ignoreHTTPSErrors: true });
  return context.newPage();
}

test('bw logs in with an account made in the web sign-up and reads, writes and exports its vault', async ({ browser }) => {
  const page = await portalPage(browser);
  const email = uniqueEmail('bw');
  await createAccount(page, { email, name: 'Bea Cli' });
  await expect(page).toHaveURL(/\/vault$/);

  // An item made in the web vault…
  await page.getByRole('button', { name: 'New item' }).click();
  const d = page.getByRole('dialog', { name: 'Item' });
  await d.getByLabel('Name', { exact: true }).fill('Router admin');
  await d.getByLabel('Username', { exact: true }).fill('admin');
  await d.getByLabel('Password', { exact: true }).fill('Web-made-pass-1');
  await d.getByLabel('Authenticator key (TOTP)', { exact: true }).fill(TOTP_KEY);
  await d.getByRole('button', { name: 'Save' }).click();
  await expect(d).toBeHidden();

  // …is read, decrypted, by Bitwarden's CLI.
  const bw = bwClient();
  bw.logIn(email);
  expect(bw.run('sync')).toContain('Syncing complete');
  const items = bw.json('list', 'items');
  const router = items.find((i) => i.name === 'Router admin');
  expect(router?.login).toMatchObject({ username: 'admin', password: 'Web-made-pass-1', totp: TOTP_KEY });
  const before = Date.now() / 1000;
  const code = bw.run('get', 'totp', router.id);
  expect([totp(TOTP_KEY, before), totp(TOTP_KEY, Date.now() / 1000)]).toContain(code);

  // Items of every type made by bw show in the web vault.
  const template = bw.json('get', 'template', 'item');
  const made = [
    { ...template, type: 1, name: 'CLI login', notes: 'made by bw', login: { ...bw.json('get', 'template', 'item.login'), username: 'cli-user', password: 'Cli-pass-2', totp: null, uris: [{ match: null, uri: 'https://cli.example' }] },
      fields: [{ name: 'PIN', value: '2468', type: 1 }] },
    { ...template, type: 2, name: 'CLI note', notes: 'A secure note from bw', secureNote: { type: 0 } },
    { ...template, type: 3, name: 'CLI card', notes: null, card: { ...bw.json('get', 'template', 'item.card'), number: '4111111111111111' } },
    { ...template, type: 4, name: 'CLI identity', notes: null, identity: { ...bw.json('get', 'template', 'item.identity'), firstName: 'Cleo', lastName: 'Line' } },
  ];
  const ids = made.map((item) => bw.create('item', item).id);
  await unlock(page, '/vault');
  for (const item of made) await expect(page.getByRole('button', { name: item.name, exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'CLI login', exact: true }).click();
  const view = page.getByRole('dialog', { name: 'Item' });
  await expect(view.getByLabel('Username', { exact: true })).toHaveValue('cli-user');
  await expect(view.getByLabel('Password', { exact: true })).toHaveValue('Cli-pass-2');
  await expect(view.getByLabel('Website (URI) 1')).toHaveValue('https://cli.example');
  await page.screenshot({ path: 'test-results/bw-items-in-web-vault.png', fullPage: true });
  await view.getByRole('button', { name: 'Cancel' }).click();

  // An edit in bw shows in the web vault; a delete in bw lands in the Trash.
  const note = bw.json('get', 'item', ids[1]);
  bw.run('edit', 'item', ids[1], Buffer.from(JSON.stringify({ ...note, name: 'CLI note (edited)' })).toString('base64'));
  bw.run('delete', 'item', ids[2]);
  await unlock(page, '/vault');
  await expect(page.getByRole('button', { name: 'CLI note (edited)', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'CLI card', exact: true })).toHaveCount(0);
  await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Trash' });
  await expect(page.getByRole('button', { name: 'Restore CLI card' })).toBeVisible();

  // bw's own export holds what the web vault wrote.
  const out = path.join(work, 'export.json');
  bw.run('export', '--format', 'json', '--output', out);
  const exported = JSON.parse(fs.readFileSync(out, 'utf8'));
  expect(exported.items.find((i) => i.name === 'Router admin')?.login?.password).toBe('Web-made-pass-1');
  expect(exported.items.map((i) => i.name)).toEqual(expect.arrayContaining(['CLI login', 'CLI note (edited)', 'CLI identity']));

  // A wrong password is refused with the portal's message.
  const stranger = bwClient();
  expect(() => stranger.logIn(email, 'not the password at all')).toThrow(/Invalid email or master password/);

  // An API key made under My account logs bw in with --apikey.
  const { clientId, clientSecret } = await createApiKey(page);
  expect(clientId).toMatch(/^user\./);
  await page.screenshot({ path: 'test-results/api-key.png', fullPage: true });
  const scripted = bwClient();
  scripted.logInWithApiKey(clientId, clientSecret);
  expect(scripted.json('list', 'items').map((i) => i.name)).toContain('Router admin');
  // A wrong secret is refused.
  expect(() => bwClient().logInWithApiKey(clientId, 'not-the-secret')).toThrow(/Invalid API key/);
});

/** Sets up a provider with 10 seats and a client organisation (its Owner
 * invited), and opens the client's Admin Console; returns its navigation. */
async function providerWithClient(page, provider, client) {
  await expect(page).toHaveURL(/\/vault$/);
  await unlock(page, '/providers/setup');
  await page.getByLabel('Provider name').fill(provider);
  await page.getByRole('button', { name: 'Set up provider' }).click();
  await expect(page.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible(); // a new provider lands on its Clients list
  const nav = page.getByRole('complementary', { name: 'Provider' });
  await nav.getByRole('link', { name: 'Subscription' }).click();
  await page.getByLabel('Total seats').fill('10');
  await page.getByRole('button', { name: 'Save seats' }).click();
  await expect(page.getByText('Seats saved.')).toBeVisible();
  await nav.getByRole('link', { name: 'Clients' }).click();
  await page.getByRole('button', { name: 'New client' }).click();
  const create = page.getByRole('dialog', { name: 'New client' });
  await create.getByLabel('Organisation name').fill(client);
  await create.getByLabel('Owner email').fill(uniqueEmail('bw-owner'));
  await create.getByLabel('Seats').fill('5');
  await create.getByRole('button', { name: 'Create client' }).click();
  await page.getByRole('link', { name: `Manage ${client}` }).click();
  return page.getByRole('complementary', { name: 'Admin Console' });
}

test('folders: made, renamed and deleted in the web vault or in bw, and items filed in them seen by both', async ({ browser }) => {
  const page = await portalPage(browser);
  const email = uniqueEmail('folders');
  await createAccount(page, { email, name: 'Flo Folders' });
  await expect(page).toHaveURL(/\/vault$/);

  // A folder made in the web vault, an item saved into it.
  await page.getByRole('button', { name: 'New folder' }).click();
  let dialog = page.getByRole('dialog', { name: 'New folder' });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText('Enter a folder name.')).toBeVisible();
  await dialog.getByLabel('Name').fill('Network');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Folder Network saved.')).toBeVisible();
  for (const [name, folder] of [['Core switch', 'Network'], ['Mail server', null]]) {
    await page.getByRole('button', { name: 'New item' }).click();
    const d = page.getByRole('dialog', { name: 'Item' });
    await d.getByLabel('Name', { exact: true }).fill(name);
    if (folder) await d.getByLabel('Folder').selectOption({ label: folder });
    await d.getByRole('button', { name: 'Save' }).click();
    await expect(d).toBeHidden();
  }
  await page.getByLabel('Folder', { exact: true }).selectOption({ label: 'Network' });
  await expect(page.getByRole('button', { name: 'Core switch', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Mail server', exact: true })).toHaveCount(0);
  await page.getByLabel('Folder', { exact: true }).selectOption({ label: 'No folder' });
  await expect(page.getByRole('button', { name: 'Mail server', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Core switch', exact: true })).toHaveCount(0);

  // bw sees the folder and what is in it, and makes one of its own.
  const bw = bwClient();
  bw.logIn(email);
  const network = bw.json('list', 'folders').find((f) => f.name === 'Network');
  expect(network).toBeTruthy();
  expect(bw.json('list', 'items', '--folderid', network.id).map((i) => i.name)).toEqual(['Core switch']);
  const printers = bw.create('folder', { name: 'Printers' });
  const template = bw.json('get', 'template', 'item');
  bw.create('item', { ...template, type: 2, name: 'Office printer', notes: 'Admin PIN 0000', secureNote: { type: 0 }, folderId: printers.id, login: null });

  // The web vault shows bw's folder and item; renaming and deleting there reach bw.
  await unlock(page, '/vault');
  await page.getByLabel('Folder', { exact: true }).selectOption({ label: 'Printers' });
  await expect(page.getByRole('button', { name: 'Office printer', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Core switch', exact: true })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/vault-folders.png', fullPage: true });
  await page.getByLabel('Folder', { exact: true }).selectOption({ label: 'Network' });
  await page.getByRole('button', { name: 'Edit folder' }).click();
  dialog = page.getByRole('dialog', { name: 'Edit folder' });
  await expect(dialog.getByLabel('Name')).toHaveValue('Network');
  await dialog.getByLabel('Name').fill('Network gear');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Folder Network gear saved.')).toBeVisible();
  await page.getByLabel('Folder', { exact: true }).selectOption({ label: 'Printers' });
  await page.getByRole('button', { name: 'Edit folder' }).click();
  dialog = page.getByRole('dialog', { name: 'Edit folder' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog.getByText('The items in it stay in your vault, in no folder.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Delete folder' }).click();
  await expect(page.getByText('Folder Printers deleted.')).toBeVisible();
  await expect(page.getByLabel('Folder', { exact: true })).toHaveValue('');
  await expect(page.getByRole('button', { name: 'Office printer', exact: true })).toBeVisible();

  bw.run('sync');
  expect(bw.json('list', 'folders').map((f) => f.name).sort()).toEqual(['Network gear', 'No Folder']);
  const printer = bw.json('list', 'items').find((i) => i.name === 'Office printer');
  expect(printer.folderId ?? null).toBeNull(); // bw leaves out a null folderId
  expect(printer.notes).toBe('Admin PIN 0000');

  // An import brings its folders: one of the same name is reused, a new one made.
  const file = {
    encrypted: false,
    folders: [{ id: 'f1', name: 'Network gear' }, { id: 'f2', name: 'Cameras' }],
    items: [
      { type: 2, name: 'Camera NVR', notes: 'rack 2', secureNote: { type: 0 }, folderId: 'f2' },
      { type: 2, name: 'Patch panel', notes: 'rack 1', secureNote: { type: 0 }, folderId: 'f1' },
    ],
  };
  await page.getByRole('button', { name: 'Import data' }).click();
  const imp = page.getByRole('dialog', { name: 'Import data' });
  await imp.getByLabel('Choose a file').setInputFiles({ name: 'bitwarden_export.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  await expect(imp.getByText('New folder(s): Cameras.')).toBeVisible();
  await imp.getByRole('button', { name: 'Import data' }).click();
  await expect(page.getByText('Imported 2 item(s) and 1 folder(s).')).toBeVisible();
  await page.getByLabel('Folder', { exact: true }).selectOption({ label: 'Network gear' });
  await expect(page.getByRole('button', { name: 'Patch panel', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Core switch', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Camera NVR', exact: true })).toHaveCount(0);

  // The web vault's export is Bitwarden's individual format: folders and folderId.
  await page.getByRole('button', { name: 'Export vault' }).click();
  const exp = page.getByRole('dialog', { name: 'Export vault' });
  const downloading = page.waitForEvent('download');
  await exp.getByRole('button', { name: 'Confirm format' }).click();
  const exported = JSON.parse(fs.readFileSync(await (await downloading).path(), 'utf8'));
  expect(exported.folders.map((f) => f.name).sort()).toEqual(['Cameras', 'Network gear']);
  const gear = exported.folders.find((f) => f.name === 'Network gear').id;
  expect(exported.items.filter((i) => i.folderId === gear).map((i) => i.name).sort()).toEqual(['Core switch', 'Patch panel']);
  expect(exported.items.find((i) => i.name === 'Office printer').folderId).toBeNull();

  // My account → Apps lists bw; logging it out there ends bw's access at once.
  await page.goto('/settings/account');
  await hydrated(page);
  const apps = page.getByRole('region', { name: 'Apps' });
  const row = apps.getByRole('row').filter({ hasText: 'Linux CLI' });
  await expect(row).toHaveCount(1);
  await page.screenshot({ path: 'test-results/account-apps.png', fullPage: true });
  await row.getByRole('button', { name: /^Log out / }).click();
  await expect(apps.getByText(/is logged out\.$/)).toBeVisible();
  await expect(apps.getByText('No app is logged in.')).toBeVisible();
  expect(() => bw.run('sync')).toThrow();
});

test('a provider admin in bw sees the client organisations they manage, their collections and items', async ({ browser }) => {
  const page = await portalPage(browser);
  const email = uniqueEmail('bw-admin');
  await createAccount(page, { email, name: 'Pia Provider' });
  const consoleNav = await providerWithClient(page, 'Northwind MSP', 'Tailspin Toys');
  await consoleNav.getByRole('link', { name: 'Collections' }).click();
  // The section is there with its (empty) list before the person acts on it.
  await expect(page.getByRole('heading', { name: 'No collections yet' })).toBeVisible();
  await page.getByRole('button', { name: 'New collection' }).click();
  const col = page.getByRole('dialog', { name: 'Collection' });
  await col.getByLabel('Collection name').fill('Network gear');
  await col.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Network gear' })).toBeVisible();
  await consoleNav.getByRole('link', { name: 'Vault' }).click();
  await page.getByRole('button', { name: 'New item' }).click();
  const item = page.getByRole('dialog', { name: 'Item' });
  await item.getByLabel('Name', { exact: true }).fill('Core switch');
  await item.getByLabel('Username').fill('netadmin');
  await item.getByLabel('Password', { exact: true }).fill('Switch-Pass-77');
  await item.getByRole('checkbox', { name: 'Network gear' }).check();
  await item.getByRole('button', { name: 'Save' }).click();
  const table = page.getByRole('table', { name: 'Vault items' });
  await expect(table.getByRole('row').filter({ hasText: 'Core switch' })).toBeVisible();

  // bw opens the client's key through the provider key, as Bitwarden's apps
  // do. As in Bitwarden's apps, `list organizations` names the organisations
  // one is a member of (none here): a client is reached by its id.
  const orgId = page.url().split('/')[4];
  const bw = bwClient();
  bw.logIn(email);
  expect(bw.json('list', 'organizations')).toEqual([]);
  const org = { id: orgId };
  const collections = bw.json('list', 'collections', '--organizationid', org.id);
  expect(collections.map((c) => c.name)).toEqual(['Network gear']);
  const shared = bw.json('list', 'items', '--organizationid', org.id);
  expect(shared.find((i) => i.name === 'Core switch')?.login?.password).toBe('Switch-Pass-77');

  // An item bw puts in the client's collection shows in the Admin Console's vault.
  const template = bw.json('get', 'template', 'item');
  bw.create('item', { ...template, name: 'Firewall', notes: null, organizationId: org.id, collectionIds: [collections[0].id],
    login: { ...bw.json('get', 'template', 'item.login'), username: 'fw', password: 'Fw-Pass-88', totp: null } });
  // `bw move` (Move to organisation): a personal item re-encrypted with the
  // client's key by bw leaves the personal vault for the client's collection.
  const router = bw.create('item', { ...template, name: 'Old router', notes: null, organizationId: null, collectionIds: null,
    login: { ...bw.json('get', 'template', 'item.login'), username: 'admin', password: 'Router-Pass-99', totp: null } });
  bw.run('move', router.id, org.id, Buffer.from(JSON.stringify([collections[0].id])).toString('base64'));
  bw.run('sync');
  const movedItem = bw.json('get', 'item', router.id);
  expect([movedItem.organizationId, movedItem.collectionIds, movedItem.login.password]).toEqual([org.id, [collections[0].id], 'Router-Pass-99']);
  expect(bw.json('list', 'items').filter((i) => i.organizationId === null)).toEqual([]);
  await unlock(page, page.url());
  await expect(table.getByRole('row').filter({ hasText: 'Firewall' }).getByRole('cell', { name: 'Network gear' })).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: 'Old router' }).getByRole('cell', { name: 'Network gear' })).toBeVisible();
  await page.screenshot({ path: 'test-results/bw-org-item-in-admin-console.png', fullPage: true });
});

/** The current 30-second step, not within 4 s of its end (so the codes of
 * the steps around it stay good for the next few requests). */
async function freshStep() {
  if (Date.now() / 1000 % 30 > 26) await new Promise((r) => setTimeout(r, 4_500));
  return Math.floor(Date.now() / 1000 / 30);
}

test('two-step login: turned on under My account, asked for by the portal and by bw, and the recovery code turns it off', async ({ browser, pageErrors }) => {
  // A wrong password or code, and the log-in that asks for the code, are 422 answers on purpose.
  pageErrors.allow(/status of 422/);
  const page = await portalPage(browser);
  const email = uniqueEmail('twostep');
  await createAccount(page, { email, name: 'Tess Two-Step' });
  await expect(page).toHaveURL(/\/vault$/);
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'My account' }).click();
  const card = page.getByRole('region', { name: 'Two-step login' });
  await expect(card.getByRole('status')).toContainText('Off');
  await card.getByLabel('Master password to turn on two-step login').fill('not my password');
  await card.getByRole('button', { name: 'Turn on two-step login' }).click();
  await expect(card.getByText('The master password is not correct.')).toBeVisible();
  await card.getByLabel('Master password to turn on two-step login').fill(PASSWORD);
  await card.getByRole('button', { name: 'Turn on two-step login' }).click();
  await expect(card.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const key = (await card.getByTestId('authenticator-key').textContent()).replace(/\s/g, '');
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
  await card.getByLabel('Verification code').fill('000000');
  await card.getByRole('button', { name: 'Turn on', exact: true }).click();
  await expect(card.getByText(/The code is not correct/)).toBeVisible();
  const step = await freshStep();
  await card.getByLabel('Verification code').fill(totp(key, (step - 1) * 30));
  await page.screenshot({ path: 'test-results/two-step-setup.png', fullPage: true });
  await card.getByRole('button', { name: 'Turn on', exact: true }).click();
  const recovery = (await card.getByTestId('recovery-code').textContent()).trim();
  expect(recovery).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
  await expect(card.getByText('Two-step login is on.')).toBeVisible();
  await card.getByRole('button', { name: 'I saved it' }).click();
  await expect(card.getByRole('status')).toContainText('On');
  expect((await waitForMail(email, 'Two-step login is on')).text).toContain('authenticator app');

  // As a Provider admin, Tess requires two-step login of all her staff.
  await unlock(page, '/providers/setup');
  await page.getByLabel('Provider name').fill('Two-Step MSP');
  await page.getByRole('button', { name: 'Set up provider' }).click();
  await expect(page.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible(); // a new provider lands on its Clients list
  await page.getByRole('complementary', { name: 'Provider' }).getByRole('link', { name: 'Settings', exact: true }).click();
  const staff = page.getByRole('region', { name: 'Two-step login for provider staff' });
  await staff.getByRole('checkbox', { name: 'Require two-step login for all provider staff' }).check();
  await expect(staff.getByText('Two-step login is now required of all provider staff.')).toBeVisible();
  await page.screenshot({ path: 'test-results/staff-two-step.png', fullPage: true });

  // Logged out, the password alone does not log in: the code is asked for.
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Two-step login' })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Verification code').fill('123456');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText(/The code is not correct/)).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Verification code').fill(totp(key, step * 30));
  await page.screenshot({ path: 'test-results/two-step-login.png', fullPage: true });
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/vault$/);
  await expect(page.getByRole('heading', { name: 'Vault', exact: true })).toBeVisible();

  // bw: without a code it is refused; with --method 0 --code it logs in and syncs.
  const bw = bwClient();
  expect(() => bw.run('login', email, PASSWORD, '--raw')).toThrow();
  bw.env.BW_SESSION = bw.run('login', email, PASSWORD, '--method', '0', '--code', totp(key, (step + 1) * 30), '--raw');
  expect(bw.run('sync')).toContain('Syncing complete');
  expect(bw.json('list', 'items')).toEqual([]);

  // The recovery code turns two-step login off: the next log-in needs the password only.
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(recovery.toLowerCase());
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/vault$/);
  expect((await waitForMail(email, 'Two-step login was turned off')).text).toContain('with your recovery code');
  const again = bwClient();
  again.logIn(email);
  expect(again.run('sync')).toContain('Syncing complete');
});

/** The code of the next mail to `address` whose subject contains
 * `subjectPart`, after the `seen` such mails already there. */
async function nextCode(address, subjectPart, seen) {
  for (let i = 0; i < 100; i++) {
    const found = (await mailsTo(address)).filter((m) => m.subject.includes(subjectPart));
    if (found.length > seen) return { code: found[found.length - 1].subject.match(/(\d{6})$/)[1], count: found.length };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no new mail "${subjectPart}" to ${address}`);
}

test('two-step login by email: turned on with a mailed code, asked for at every log-in by the portal and by bw', async ({ browser, pageErrors }) => {
  // A wrong code, and the log-in that asks for the code, are 422 answers on purpose.
  pageErrors.allow(/status of 422/);
  const page = await portalPage(browser);
  const email = uniqueEmail('mailstep');
  await createAccount(page, { email, name: 'Mo Mailcode' });
  await expect(page).toHaveURL(/\/vault$/);
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'My account' }).click();
  const card = page.getByRole('region', { name: 'Two-step login' });
  await expect(card.getByRole('status')).toContainText('Off');
  await expect(card.getByRole('radio', { name: /^Authenticator app/ })).toBeChecked();
  await card.getByRole('radio', { name: /^Email/ }).check();
  await expect(card.getByRole('radio', { name: /^Email/ })).toBeChecked();
  await card.getByLabel('Master password to turn on two-step login').fill(PASSWORD);
  await card.getByRole('button', { name: 'Turn on two-step login' }).click();
  await expect(card.getByText(`We sent a 6-digit code to ${email}`)).toBeVisible();
  const setup = await nextCode(email, 'Your code to turn on two-step login', 0);
  await card.getByLabel('Verification code').fill(setup.code === '000000' ? '111111' : '000000');
  await card.getByRole('button', { name: 'Turn on', exact: true }).click();
  await expect(card.getByText(/The code is not correct/)).toBeVisible();
  await card.getByLabel('Verification code').fill(setup.code);
  await page.screenshot({ path: 'test-results/two-step-email-setup.png', fullPage: true });
  await card.getByRole('button', { name: 'Turn on', exact: true }).click();
  const recovery = (await card.getByTestId('recovery-code').textContent()).trim();
  expect(recovery).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
  await card.getByRole('button', { name: 'I saved it' }).click();
  await expect(card.getByRole('status')).toContainText(`On Email codes to ${email}`);
  expect((await waitForMail(email, 'Two-step login is on')).text).toContain('a code we send to this address');

  // Logged out, the password mails a code and the log-in page asks for it.
  const logInWithPassword = async () => {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Master password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { name: 'Two-step login' })).toBeVisible();
  };
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await logInWithPassword();
  const masked = `${email[0]}***@${email.split('@')[1]}`;
  await expect(page.getByText(`We sent a 6-digit code to ${masked}`)).toBeVisible();
  let mail = await nextCode(email, 'log-in code', 0);
  // Asking again within the minute sends no second mail, and says so.
  await page.getByRole('button', { name: 'Send a new code' }).click();
  await expect(page.getByText('A code went out less than a minute ago')).toBeVisible();
  expect((await mailsTo(email)).filter((m) => m.subject.includes('log-in code')).length).toBe(1);
  await page.getByLabel('Verification code').fill(mail.code === '123456' ? '654321' : '123456');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText(/The code is not correct/)).toBeVisible();
  await page.getByLabel('Verification code').fill(mail.code);
  await page.screenshot({ path: 'test-results/two-step-email-login.png', fullPage: true });
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/vault$/);
  await expect(page.getByRole('heading', { name: 'Vault', exact: true })).toBeVisible();

  // bw: the password alone mails a code (bw --method 1 cannot ask for it without a terminal);
  // with --method 1 --code it logs in and syncs.
  const bw = bwClient();
  expect(() => bw.run('login', email, PASSWORD, '--method', '1', '--raw')).toThrow();
  mail = await nextCode(email, 'log-in code', mail.count);
  bw.env.BW_SESSION = bw.run('login', email, PASSWORD, '--method', '1', '--code', mail.code, '--raw');
  expect(bw.run('sync')).toContain('Syncing complete');
  expect(bw.json('list', 'items')).toEqual([]);

  // The recovery code turns it off: the next log-in needs the password only.
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await logInWithPassword();
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/vault$/);
  expect((await waitForMail(email, 'Two-step login was turned off')).text).toContain('with your recovery code');
});

test('account recovery: the master password a provider admin sets for an enrolled member works in bw, which keeps the export policy', async ({ browser }) => {
  const page = await portalPage(browser);
  await createAccount(page, { email: uniqueEmail('bw-rescuer'), name: 'Rita Rescuer' });
  const consoleNav = await providerWithClient(page, 'Adatum MSP', 'Adatum Clinic');
  // A member (user type User) joins, keeps a personal item, and is confirmed.
  const memberEmail = uniqueEmail('bw-forgetful');
  await consoleNav.getByRole('link', { name: 'Members' }).click();
  await page.getByRole('button', { name: 'Invite member' }).click();
  const invite = page.getByRole('dialog', { name: 'Invite member' });
  await invite.getByLabel('Email').fill(memberEmail);
  await invite.getByRole('button', { name: 'Save' }).click();
  await expect(invite.getByText(`${memberEmail} — invited`)).toBeVisible();
  await invite.getByRole('button', { name: 'Close', exact: true }).click();
  const mail = await waitForMail(memberEmail, 'Join Adatum Clinic');
  const member = await portalPage(browser);
  await member.goto(mail.text.match(/https?:\/\/\S+\/accept-invite\?token=[A-Za-z0-9_-]+/)[0]);
  await hydrated(member);
  await member.getByRole('link', { name: 'Create account' }).click();
  await member.getByLabel('Name', { exact: true }).fill('Finn Forgetful');
  await member.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await member.getByLabel('Confirm master password').fill(PASSWORD);
  await member.getByRole('button', { name: 'Create account' }).click();
  await member.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(member).toHaveURL(/\/vault$/);
  await member.getByRole('button', { name: 'New item' }).click();
  const d = member.getByRole('dialog', { name: 'Item' });
  await d.getByLabel('Name', { exact: true }).fill('Clinic wifi');
  await d.getByLabel('Password', { exact: true }).fill('Clinic-Wifi-123');
  await d.getByRole('button', { name: 'Save' }).click();
  await expect(d).toBeHidden();
  await page.getByRole('button', { name: `Options for ${memberEmail}` }).click();
  await page.getByRole('menuitem', { name: 'Confirm', exact: true }).click();
  await page.getByRole('dialog', { name: 'Confirm members' }).getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('dialog', { name: 'Results' }).getByText(`${memberEmail} — done`)).toBeVisible();
  await page.getByRole('dialog', { name: 'Results' }).getByRole('button', { name: 'Close', exact: true }).click();

  // Account recovery set up, the member enrolled; the export policy on.
  await consoleNav.getByRole('link', { name: 'Policies' }).click();
  const setup = page.getByRole('region', { name: 'Account recovery administration' });
  await setup.getByRole('button', { name: 'Set up account recovery' }).click();
  await expect(setup.getByRole('status')).toContainText('Set up');
  await page.getByRole('button', { name: 'Edit Remove individual vault export' }).click();
  const pol = page.getByRole('dialog', { name: 'Edit policy' });
  await pol.getByRole('checkbox', { name: 'Turn on' }).check();
  await pol.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Remove individual vault export saved.')).toBeVisible();
  await member.getByRole('button', { name: 'Account menu' }).click();
  await member.getByRole('menuitem', { name: 'My account' }).click();
  const enrolment = member.getByRole('region', { name: 'Account recovery' });
  await enrolment.getByRole('button', { name: 'Enrol in Adatum Clinic' }).click();
  await expect(enrolment.getByText('Enrolled', { exact: true })).toBeVisible();

  // The member forgets the password; the provider admin sets a new one.
  await consoleNav.getByRole('link', { name: 'Members' }).click();
  await page.getByRole('button', { name: `Options for ${memberEmail}` }).click();
  await page.getByRole('menuitem', { name: 'Recover account' }).click();
  const recover = page.getByRole('dialog', { name: 'Recover account' });
  const temporary = 'Harbour-Velvet-Compass-Thistle-48!';
  await recover.getByLabel('New master password', { exact: true }).fill(temporary);
  await recover.getByLabel('Confirm new master password').fill(temporary);
  await recover.getByRole('button', { name: 'Reset master password' }).click();
  await expect(page.getByText(/master password was reset/)).toBeVisible();

  // Bitwarden's CLI: the old password is refused, the new one opens the
  // same vault; and bw itself refuses to export the individual vault.
  const bw = bwClient();
  expect(() => bw.logIn(memberEmail)).toThrow(/Invalid email or master password/);
  bw.logIn(memberEmail, temporary);
  const items = bw.json('list', 'items');
  expect(items.find((i) => i.name === 'Clinic wifi')?.login?.password).toBe('Clinic-Wifi-123');
  expect(() => bw.run('export', '--format', 'json', '--output', path.join(work, 'refused.json'))).toThrow(/organization policies prevents you from exporting your personal vault/);
  expect(fs.existsSync(path.join(work, 'refused.json'))).toBe(false);
  await member.context().close();
});

test('live sync: an app on the notifications hub hears of items and folders changed in bw and in the web vault, and of being logged out', async ({ browser }) => {
  const page = await portalPage(browser);
  const email = uniqueEmail('live');
  await createAccount(page, { email, name: 'Liv Sync' });
  await expect(page).toHaveURL(/\/vault$/);
  const { clientId, clientSecret } = await createApiKey(page);
  const app = hubListener(clientId, clientSecret);
  try {
    const me = (await app.next((l) => l.connected || l.error)).connected;
    expect(me, JSON.stringify(app.lines)).toBeTruthy();

    // An item another app (bw) makes: the app hears which one, from whom, and can fetch it.
    const bw = bwClient();
    bw.logIn(email);
    const template = bw.json('get', 'template', 'item');
    const made = bw.create('item', { ...template, type: 2, name: 'Live note', notes: 'from bw', secureNote: { type: 0 }, login: null });
    const created = (await app.next((l) => l.message?.type === 1 && l.message.payload.Id === made.id)).message;
    expect(created.contextId).toBeTruthy();
    expect(created.contextId).not.toBe(me);
    expect(created.payload.OrganizationId).toBeNull();
    expect([created.details, created.fetched]).toEqual([200, made.id]);

    // bw edits it, then deletes it for good.
    bw.run('edit', 'item', made.id, Buffer.from(JSON.stringify({ ...bw.json('get', 'item', made.id), name: 'Live note (edited)' })).toString('base64'));
    expect((await app.next((l) => l.message?.type === 0 && l.message.payload.Id === made.id)).message.details).toBe(200);
    bw.run('delete', 'item', made.id, '--permanent');
    await app.next((l) => l.message?.type === 2 && l.message.payload.Id === made.id);

    // What the web vault saves reaches the app too (no app made it: no context).
    await unlock(page, '/vault');
    await page.getByRole('button', { name: 'New item' }).click();
    const d = page.getByRole('dialog', { name: 'Item' });
    await d.getByLabel('Name', { exact: true }).fill('Web login');
    await d.getByRole('button', { name: 'Save' }).click();
    await expect(d).toBeHidden();
    const web = (await app.next((l) => l.message?.type === 1 && l.message.payload.Id !== made.id)).message;
    expect([web.contextId, web.details]).toEqual([null, 200]);
    await page.getByRole('button', { name: 'New folder' }).click();
    const folder = page.getByRole('dialog', { name: 'New folder' });
    await folder.getByLabel('Name').fill('Live folder');
    await folder.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Folder Live folder saved.')).toBeVisible();
    expect((await app.next((l) => l.message?.type === 7)).message.payload.Id).toBeTruthy();

    // My account → Apps: logging the app out tells it at once, and the hub closes.
    await page.goto('/settings/account');
    await hydrated(page);
    const row = page.getByRole('region', { name: 'Apps' }).getByRole('row').filter({ hasText: 'Chrome extension' });
    await row.getByRole('button', { name: /^Log out / }).click();
    await app.next((l) => l.message?.type === 11);
    await app.next((l) => 'closed' in l);
    // The other app (bw) was not logged out.
    expect(bw.run('sync')).toContain('Syncing complete');
  } finally {
    app.stop();
  }
});
