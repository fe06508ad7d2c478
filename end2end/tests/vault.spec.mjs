import { test, expect, createAccount, hydrated, expectNoAxeViolations, callApi, uniqueEmail, PASSWORD, totp } from './helpers.mjs';

const TOTP_KEY = 'JBSWY3DPEHPK3PXP';

async function newItem(page, type, name) {
  await page.getByRole('button', { name: 'New item' }).click();
  const dialog = page.getByRole('dialog', { name: 'Item' });
  await dialog.getByLabel('What type of item is this?').selectOption({ label: type });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  return dialog;
}

async function save(page, dialog, name) {
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
}

const CARD = { 'Cardholder name': 'Ann Lee', Brand: 'Visa', Number: '4111111111111111', 'Expiration month': '7', 'Expiration year': '2029', 'Security code': '123' };
const IDENTITY = {
  Title: 'Ms', 'First name': 'Ann', 'Middle name': 'B.', 'Last name': 'Lee', 'Address 1': '1 Main Street', 'Address 2': 'Suite 200', 'Address 3': 'Building C',
  'City / Town': 'Springfield', 'State / Province': 'IL', 'Zip / Postal code': '62701', Country: 'US', Company: 'Contoso Ltd', Email: 'ann@contoso.example',
  Phone: '+1 555 0100', 'Social Security number': '078-05-1120', Username: 'annlee', 'Passport number': 'X1234567', 'License number': 'D123-4567-8901',
};
const SSH = { 'Private key': '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----', 'Public key': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIObe deploy', Fingerprint: 'SHA256:5dVnCFm6eDPnIW0Rb9eMGpW1nHXQ9Q7rTbUuKZ8xJ1A' };

test('every item type with custom fields and TOTP survives a reload, field by field', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await createAccount(page, { email: uniqueEmail('types'), name: 'Ann Types' });
  await expect(page).toHaveURL(/\/vault$/);

  // A login with two URIs (one matched by host), an authenticator key and
  // one custom field of each kind.
  let d = await newItem(page, 'Login', 'Contoso portal');
  await d.getByLabel('Username', { exact: true }).fill('admin@contoso.example');
  // A passphrase: six words of the EFF list (some words hold a hyphen themselves).
  await d.getByRole('button', { name: 'Generate passphrase' }).click();
  await expect(d.getByLabel('Password', { exact: true })).toHaveValue(/^[a-z]+(-[a-z]+){5,}$/);
  await d.getByLabel('Password', { exact: true }).fill('C0rrect-horse-battery');
  await d.getByLabel('Authenticator key (TOTP)', { exact: true }).fill(TOTP_KEY);
  await expect(d.getByRole('group', { name: 'Verification code' })).toBeVisible();
  await d.getByRole('button', { name: 'New URI' }).click();
  await d.getByLabel('Website (URI) 1').fill('https://admin.contoso.example');
  await d.getByRole('button', { name: 'New URI' }).click();
  await d.getByLabel('Website (URI) 2').fill('https://login.contoso.example/sso');
  await d.getByLabel('Match detection').nth(1).selectOption({ label: 'Host' });
  const fields = [['Text', 'Tenant', 'contoso'], ['Hidden', 'PIN', '4711'], ['Checkbox', 'MFA enforced', true], ['Linked', 'Login name', 'Username']];
  for (const [i, [kind, name, value]] of fields.entries()) {
    await d.getByRole('button', { name: 'Add field' }).click();
    await d.getByLabel(`Field ${i + 1} type`).selectOption({ label: kind });
    await d.getByLabel(`Field ${i + 1} name`).fill(name);
    const v = d.getByLabel(`Field ${i + 1} value`);
    if (value === true) await v.check();
    else if (kind === 'Linked') await v.selectOption({ label: value });
    else await v.fill(value);
  }
  await d.getByLabel('Notes', { exact: true }).fill('Break-glass account.\nKeep offline copy.');
  await d.getByLabel('Favorite', { exact: true }).check();
  await expectNoAxeViolations(page);
  await page.screenshot({ path: 'test-results/item-login.png', fullPage: true });
  await save(page, d, 'Contoso portal');

  d = await newItem(page, 'Card', 'Company Visa');
  for (const [label, value] of Object.entries(CARD)) await d.getByLabel(label, { exact: true }).fill(value);
  await d.getByLabel('Master password re-prompt').check();
  await save(page, d, 'Company Visa');
  d = await newItem(page, 'Identity', 'Registered agent');
  for (const [label, value] of Object.entries(IDENTITY)) await d.getByLabel(label, { exact: true }).fill(value);
  await save(page, d, 'Registered agent');
  d = await newItem(page, 'Secure note', 'Office Wi-Fi');
  await d.getByLabel('Notes', { exact: true }).fill('SSID: Contoso-Staff');
  await save(page, d, 'Office Wi-Fi');
  d = await newItem(page, 'SSH key', 'Deploy key');
  for (const [label, value] of Object.entries(SSH)) await d.getByLabel(label, { exact: true }).fill(value);
  await save(page, d, 'Deploy key');
  await expect(page.getByText('Visa, *1111')).toBeVisible();
  await expectNoAxeViolations(page);
  await page.screenshot({ path: 'test-results/vault-types.png', fullPage: true });

  // The server holds each field as its own EncString, never the plaintext.
  const stored = await callApi(page, 'vault/list');
  expect(stored.body).toHaveLength(5);
  const wire = JSON.stringify(stored.body);
  for (const plain of ['C0rrect-horse', 'Contoso portal', '4111111111111111', 'Springfield', 'OPENSSH', TOTP_KEY]) expect(wire).not.toContain(plain);
  const login = JSON.parse(stored.body.find((i) => JSON.parse(i.data).type === 1).data);
  expect(login.login.password).toMatch(/^2\./);
  expect(login.login.uris[1].match).toBe(1);
  expect(login.fields.map((f) => f.type)).toEqual([0, 1, 2, 3]);

  // Copy buttons: the verification code is the one RFC 6238 gives now.
  await page.getByRole('button', { name: 'Copy verification code of Contoso portal' }).click();
  await expect(page.getByText('Verification code copied. The clipboard clears in 30 seconds.')).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const now = Date.now() / 1000;
  expect([totp(TOTP_KEY, now - 30), totp(TOTP_KEY, now), totp(TOTP_KEY, now + 30)]).toContain(copied);

  // Reload: the keys are forgotten; unlock, and every field is back.
  await page.reload();
  await hydrated(page);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Favorites' });
  await expect(page.getByRole('button', { name: 'Company Visa', exact: true })).toHaveCount(0);
  await page.getByRole('button', { name: 'Contoso portal', exact: true }).click();
  d = page.getByRole('dialog', { name: 'Item' });
  await expect(d.getByLabel('Username', { exact: true })).toHaveValue('admin@contoso.example');
  await expect(d.getByLabel('Password', { exact: true })).toHaveValue('C0rrect-horse-battery');
  await expect(d.getByLabel('Authenticator key (TOTP)', { exact: true })).toHaveValue(TOTP_KEY);
  const shown = (await d.getByRole('group', { name: 'Verification code' }).locator('.totp-code').innerText()).replace(/\s/g, '');
  const t = Date.now() / 1000;
  expect([totp(TOTP_KEY, t - 30), totp(TOTP_KEY, t)]).toContain(shown);
  await expect(d.getByLabel('Website (URI) 2')).toHaveValue('https://login.contoso.example/sso');
  await expect(d.getByLabel('Match detection').nth(1)).toHaveValue('1');
  await expect(d.getByLabel('Field 2 name')).toHaveValue('PIN');
  await expect(d.getByLabel('Field 2 value')).toHaveValue('4711');
  await expect(d.getByLabel('Field 3 value')).toBeChecked();
  await expect(d.getByLabel('Field 4 type')).toHaveValue('3');
  await expect(d.getByLabel('Notes', { exact: true })).toHaveValue('Break-glass account.\nKeep offline copy.');
  // A changed password goes to the password history.
  await d.getByLabel('Password', { exact: true }).fill('N3w-horse-battery');
  await d.getByRole('button', { name: 'Save' }).click();
  await expect(d).toBeHidden();
  await page.getByRole('button', { name: 'Contoso portal', exact: true }).click();
  await d.getByText('Password history (1)').click();
  await expect(d.getByText('C0rrect-horse-battery')).toBeVisible();
  await d.getByRole('button', { name: 'Cancel' }).click();

  await page.getByLabel('Show', { exact: true }).selectOption({ label: 'All items' });
  // The card asks for the master password before it opens or hands over its number.
  const gate = page.getByRole('dialog', { name: 'Master password re-prompt' });
  await page.getByRole('button', { name: 'Copy number of Company Visa' }).click();
  await gate.getByLabel('Master password').fill('not my password');
  await gate.getByRole('button', { name: 'Confirm' }).click();
  await expect(gate.getByText('Invalid master password.')).toBeVisible();
  await gate.getByLabel('Master password').fill(PASSWORD);
  await gate.getByRole('button', { name: 'Confirm' }).click();
  await expect(gate).toBeHidden();
  await expect(page.getByText('Number copied. The clipboard clears in 30 seconds.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(CARD.Number);
  for (const [name, values] of [['Company Visa', CARD], ['Registered agent', IDENTITY], ['Deploy key', SSH]]) {
    await page.getByRole('button', { name, exact: true }).click();
    if (name === 'Company Visa') {
      await expect(d).toBeHidden();
      await gate.getByLabel('Master password').fill(PASSWORD);
      await gate.getByRole('button', { name: 'Confirm' }).click();
    }
    for (const [label, value] of Object.entries(values)) await expect(d.getByLabel(label, { exact: true }), `${name}: ${label}`).toHaveValue(value);
    await d.getByRole('button', { name: 'Cancel' }).click();
    await expect(d).toBeHidden();
  }
  await page.getByRole('button', { name: 'Office Wi-Fi', exact: true }).click();
  await expect(d.getByLabel('Notes', { exact: true })).toHaveValue('SSID: Contoso-Staff');
  await d.getByRole('button', { name: 'Cancel' }).click();

  // Export vault (.json), decrypted here, then Import data of that very file:
  // every item comes in again, as a copy.
  await page.getByRole('button', { name: 'Export vault' }).click();
  const exp = page.getByRole('dialog', { name: 'Export vault' });
  await expect(exp.getByText('This export contains your vault data in an unencrypted format.')).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), exp.getByRole('button', { name: 'Confirm format' }).click()]);
  expect(download.suggestedFilename()).toBe('bitwarden_export.json');
  const fs = await import('node:fs/promises');
  const file = await fs.readFile(await download.path(), 'utf8');
  const exported = JSON.parse(file);
  expect(exported.items.map((i) => i.name).sort()).toEqual(['Company Visa', 'Contoso portal', 'Deploy key', 'Office Wi-Fi', 'Registered agent']);
  const card = exported.items.find((i) => i.name === 'Company Visa');
  expect(card.card).toEqual({ cardholderName: 'Ann Lee', brand: 'Visa', number: '4111111111111111', expMonth: '7', expYear: '2029', code: '123' });
  expect(card.reprompt).toBe(1);
  expect(exported.items.find((i) => i.name === 'Contoso portal').passwordHistory[0].password).toBe('C0rrect-horse-battery');
  await page.getByRole('button', { name: 'Import data' }).click();
  const imp = page.getByRole('dialog', { name: 'Import data' });
  await imp.getByLabel('Choose a file').setInputFiles({ name: 'bitwarden_export.json', mimeType: 'application/json', buffer: Buffer.from(file) });
  await expect(imp.getByText('5 item(s) ready to import: 1 login, 1 card, 1 identity, 1 secure note, 1 SSH key.')).toBeVisible();
  await expectNoAxeViolations(page);
  const sent = page.waitForRequest('**/api/vault/import');
  await imp.getByRole('button', { name: 'Import data' }).click();
  await expect(page.getByText('Imported 5 item(s).')).toBeVisible();
  expect((await sent).postData()).not.toContain('4111111111111111');
  await expect(page.getByRole('button', { name: 'Company Visa', exact: true })).toHaveCount(2);
});
