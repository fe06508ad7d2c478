import fs from 'node:fs';
import { test, expect, createAccount, hydrated, expectNoAxeViolations, uniqueEmail, waitForMail, mailsTo, callApi, logIn, PASSWORD } from './helpers.mjs';

/** Opens a page by URL; a fresh page load is locked, so unlock it. */
async function open(page, path) {
  await page.goto(path);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Your vault is locked' })).toBeVisible();
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

function inviteLink(mail) {
  return mail.text.match(/https?:\/\/\S+\/accept-invite\?token=[A-Za-z0-9_-]+/)[0];
}

test('a provider admin creates a client; a service user manages it within the seats and policies', async ({ browser, pageErrors }) => {
  const adminEmail = uniqueEmail('admin');
  const suEmail = uniqueEmail('su');
  const ownerEmail = uniqueEmail('owner');
  const memberEmail = uniqueEmail('member');

  // The provider admin sets up a provider and invites a service user.
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  await createAccount(admin, { email: adminEmail, name: 'Ada Admin' });
  await expect(admin).toHaveURL(/\/vault$/);
  await open(admin, '/providers/setup');
  await admin.getByLabel('Provider name').fill('Contoso Partners');
  await admin.getByRole('button', { name: 'Set up provider' }).click();
  await expect(admin.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible(); // a new provider lands on its Clients list
  const pid = admin.url().split('/')[4];
  const nav = admin.getByRole('complementary', { name: 'Provider' });
  await nav.getByRole('link', { name: 'Members' }).click();
  await admin.getByRole('button', { name: 'Invite member' }).click();
  const invite = admin.getByRole('dialog', { name: 'Invite member' });
  await invite.getByLabel('Email').fill(suEmail);
  await invite.getByRole('button', { name: 'Save' }).click();
  await expect(invite.getByText(`${suEmail} — invited`)).toBeVisible();
  await invite.getByRole('button', { name: 'Close', exact: true }).click();

  const suCtx = await browser.newContext();
  const su = await suCtx.newPage();
  await su.goto(inviteLink(await waitForMail(suEmail, 'Join Contoso Partners')));
  await hydrated(su);
  await su.getByRole('link', { name: 'Create account' }).click();
  await su.getByLabel('Name', { exact: true }).fill('Sam Service');
  await su.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await su.getByLabel('Confirm master password').fill(PASSWORD);
  await su.getByRole('button', { name: 'Create account' }).click();
  await su.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(su.getByText('You can open this provider once a Provider admin confirms you.')).toBeVisible();

  await admin.reload();
  await hydrated(admin);
  await admin.getByLabel('Master password').fill(PASSWORD);
  await admin.getByRole('button', { name: 'Unlock' }).click();
  await admin.getByRole('button', { name: `Options for ${suEmail}` }).click();
  await admin.getByRole('menuitem', { name: 'Confirm' }).click();
  await admin.getByRole('dialog', { name: 'Confirm members' }).getByRole('button', { name: 'Confirm' }).click();
  await expect(admin.getByRole('dialog', { name: 'Results' }).getByText(`${suEmail} — done`)).toBeVisible();
  await admin.getByRole('dialog', { name: 'Results' }).getByRole('button', { name: 'Close', exact: true }).click();

  // Billing → Subscription: 10 seats in total.
  await nav.getByRole('link', { name: 'Subscription' }).click();
  await admin.getByLabel('Total seats').fill('10');
  await admin.getByRole('button', { name: 'Save seats' }).click();
  await expect(admin.getByText('Seats saved.')).toBeVisible();
  await expectNoAxeViolations(admin);

  // Clients → New client with 5 seats; the organisation key is made in this browser.
  await nav.getByRole('link', { name: 'Clients' }).click();
  await admin.getByRole('button', { name: 'New client' }).click();
  const create = admin.getByRole('dialog', { name: 'New client' });
  await create.getByLabel('Organisation name').fill('Fabrikam Ltd');
  await create.getByLabel('Owner email').fill(ownerEmail);
  await create.getByLabel('Seats').fill('5');
  await create.getByRole('button', { name: 'Create client' }).click();
  const row = admin.getByRole('row').filter({ hasText: 'Fabrikam Ltd' });
  await expect(row.getByRole('cell', { name: ownerEmail })).toBeVisible();
  await expect(row.getByText('Owner invited', { exact: true })).toBeVisible();
  await expect(row.getByRole('cell', { name: '5', exact: true })).toBeVisible();
  await expect(admin.getByTestId('seats-remaining')).toHaveText('5');
  await expectNoAxeViolations(admin);
  await admin.screenshot({ path: 'test-results/clients.png', fullPage: true });
  await waitForMail(ownerEmail, 'Join Fabrikam Ltd');

  // The service user opens the client's Admin Console from Clients.
  await open(su, `/providers/${pid}/clients`);
  await expect(su.getByRole('button', { name: 'New client' })).toHaveCount(0);
  await su.getByRole('link', { name: 'Manage Fabrikam Ltd' }).click();
  await expect(su.getByRole('heading', { name: 'Members', exact: true })).toBeVisible();
  await expect(su.getByTestId('seat-line')).toHaveText('1 of 5 seats used');
  const consoleNav = su.getByRole('complementary', { name: 'Admin Console' });

  // Invites a member.
  await su.getByRole('button', { name: 'Invite member' }).click();
  const inv = su.getByRole('dialog', { name: 'Invite member' });
  await expect(inv.getByRole('radio', { name: 'User' })).toBeChecked();
  await inv.getByLabel('Email').fill(memberEmail);
  await inv.getByRole('button', { name: 'Save' }).click();
  await expect(inv.getByText(`${memberEmail} — invited`)).toBeVisible();
  await inv.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(su.getByRole('row').filter({ hasText: memberEmail }).getByText('Invited', { exact: true })).toBeVisible();
  await expectNoAxeViolations(su);

  // Creates a group with the member.
  await consoleNav.getByRole('link', { name: 'Groups' }).click();
  await su.getByRole('button', { name: 'New group' }).click();
  const groupDialog = su.getByRole('dialog', { name: 'Group' });
  await groupDialog.getByLabel('Group name').fill('Finance');
  await groupDialog.getByRole('checkbox', { name: memberEmail }).check();
  await groupDialog.getByRole('button', { name: 'Save' }).click();
  await expect(su.getByRole('row').filter({ hasText: 'Finance' }).getByRole('cell', { name: memberEmail })).toBeVisible();
  await expectNoAxeViolations(su);

  // Creates a collection and gives the group access to it. Asked for while
  // the list is still on its way, the dialog opens once the list is there.
  let release;
  const held = new Promise((r) => { release = r; });
  let asked = 0;
  await su.route('**/api/organizations/collections', async (route) => { asked += 1; await held; await route.continue(); });
  await consoleNav.getByRole('link', { name: 'Collections' }).click();
  await expect.poll(() => asked).toBe(1);
  await su.getByRole('button', { name: 'New collection' }).click();
  release();
  const colDialog = su.getByRole('dialog', { name: 'Collection' });
  await colDialog.getByLabel('Collection name').fill('Shared logins');
  await colDialog.getByLabel('Access for Finance (group)').selectOption({ label: 'Can edit' });
  await colDialog.getByLabel(`Access for ${memberEmail}`).selectOption({ label: 'Can view' });
  await colDialog.getByRole('button', { name: 'Save' }).click();
  const colRow = su.getByRole('row').filter({ hasText: 'Shared logins' });
  await expect(colRow.getByText('Finance (group): Can edit')).toBeVisible();
  await expectNoAxeViolations(su);
  await su.screenshot({ path: 'test-results/collections.png', fullPage: true });

  // Member details (the member's name in the Members table): role, status,
  // groups, the collections reached directly and through a group, events.
  await consoleNav.getByRole('link', { name: 'Members' }).click();
  await su.getByRole('button', { name: memberEmail, exact: true }).click();
  const details = su.getByRole('dialog', { name: 'Member details' });
  await expect(details.getByRole('definition').filter({ hasText: /^Invited$/ })).toBeVisible();
  await expect(details.getByRole('list', { name: 'Groups' }).getByText('Finance')).toBeVisible();
  const grants = details.getByRole('table', { name: 'Collections' });
  await expect(grants.getByRole('row').filter({ hasText: 'Direct access' }).getByRole('cell', { name: 'Can view', exact: true })).toBeVisible();
  await expect(grants.getByRole('row').filter({ hasText: 'Group Finance' }).getByRole('cell', { name: 'Can edit' })).toBeVisible();
  await expect(grants.getByRole('cell', { name: 'Shared logins' })).toHaveCount(2);
  await expect(details.getByRole('table', { name: 'Latest events' }).getByText('member invited')).toBeVisible();
  await expectNoAxeViolations(su);
  await su.screenshot({ path: 'test-results/member-details.png' });
  await details.getByRole('button', { name: 'Change role' }).click();
  const roleDialog = su.getByRole('dialog', { name: 'Change role' });
  await expect(roleDialog.getByRole('radio', { name: 'User', exact: true })).toBeChecked();
  await roleDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(details).toBeHidden();

  // Vault → Import data: a Bitwarden CSV export, read and encrypted in this
  // browser; the collection it names that does not exist yet is created.
  await consoleNav.getByRole('link', { name: 'Vault' }).click();
  await expect(su.getByRole('heading', { name: 'No items yet' })).toBeVisible();
  await su.getByRole('button', { name: 'Import data' }).click();
  const imp = su.getByRole('dialog', { name: 'Import data' });
  const csv = 'collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n'
    + 'Shared logins,login,Fabrikam bank,,,0,https://bank.example,treasurer,Bank-Secret-4711,\n'
    + 'IT Department,note,Server room door,"Code 2468, then #",,0,,,,\n';
  await imp.getByLabel('Choose a file').setInputFiles({ name: 'bitwarden_export.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(imp.getByText('2 item(s) ready to import: 1 login, 1 secure note.')).toBeVisible();
  await expect(imp.getByText('New collection(s): IT Department.')).toBeVisible();
  await expectNoAxeViolations(su);
  const importRequest = su.waitForRequest('**/api/organizations/import');
  await imp.getByRole('button', { name: 'Import data' }).click();
  await expect(su.getByText('Imported 2 item(s) and created 1 collection(s).')).toBeVisible();
  // Collection names leave the browser encrypted only: not even as the key of a new one.
  const importBody = (await importRequest).postData();
  for (const plain of ['IT Department', 'Shared logins', 'Fabrikam bank', 'Bank-Secret-4711']) {
    expect(importBody, `the import request holds "${plain}"`).not.toContain(plain);
  }
  const items = su.getByRole('table', { name: 'Vault items' });
  await expect(items.getByRole('row').filter({ hasText: 'Fabrikam bank' }).getByRole('cell', { name: 'Shared logins' })).toBeVisible();
  await expect(items.getByRole('row').filter({ hasText: 'Server room door' }).getByRole('cell', { name: 'IT Department', exact: true })).toBeVisible();
  // The server holds ciphertext only.
  const stored = await callApi(su, 'organizations/items', { org_id: su.url().split('/')[4] });
  expect(stored.status).toBe(200);
  expect(stored.body).toHaveLength(2);
  expect(JSON.stringify(stored.body)).not.toContain('Bank-Secret-4711');
  expect(JSON.stringify(stored.body)).not.toContain('Fabrikam bank');

  // A file that is not an export is refused with its reason, and imports nothing.
  await su.getByRole('button', { name: 'Import data' }).click();
  await imp.getByLabel("Or paste the file's contents").fill('username,password\nbob,hunter2\n');
  await expect(imp.getByText('This CSV file has no header line naming its columns')).toBeVisible();
  await expect(imp.getByRole('button', { name: 'Import data' })).toBeDisabled();
  await imp.getByRole('button', { name: 'Cancel' }).click();

  // New item, in a collection; the collection filter narrows the table.
  await su.getByRole('button', { name: 'New item' }).click();
  const itemDialog = su.getByRole('dialog', { name: 'Item' });
  await itemDialog.getByLabel('Name', { exact: true }).fill('Office router');
  await itemDialog.getByLabel('Username').fill('admin');
  await itemDialog.getByLabel('Password', { exact: true }).fill('Router-Pass-99');
  await itemDialog.getByRole('checkbox', { name: 'IT Department' }).check();
  await itemDialog.getByRole('button', { name: 'Save' }).click();
  await expect(items.getByRole('row').filter({ hasText: 'Office router' })).toBeVisible();
  await su.getByLabel('Collection', { exact: true }).selectOption({ label: 'IT Department' });
  await expect(items.getByRole('row').filter({ hasText: 'Fabrikam bank' })).toHaveCount(0);
  await expect(su.getByText('2 of 3 items')).toBeVisible();
  await su.getByLabel('Collection', { exact: true }).selectOption({ label: 'All collections' });
  await expectNoAxeViolations(su);
  await su.screenshot({ path: 'test-results/org-vault.png', fullPage: true });

  // Export vault: decrypted here and downloaded as a Bitwarden CSV.
  await su.getByRole('button', { name: 'Export vault' }).click();
  const exp = su.getByRole('dialog', { name: 'Export vault' });
  await expect(exp.getByText('unencrypted format')).toBeVisible();
  await expect(exp.getByText('Do not open a .csv export in a spreadsheet program')).toBeVisible();
  await exp.getByLabel('File format').selectOption('.csv');
  const [download] = await Promise.all([su.waitForEvent('download'), exp.getByRole('button', { name: 'Confirm format' }).click()]);
  expect(download.suggestedFilename()).toBe('bitwarden_org_export_fabrikam_ltd.csv');
  const fs = await import('node:fs/promises');
  const exported = await fs.readFile(await download.path(), 'utf8');
  expect(exported.split('\r\n')[0]).toBe('collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp');
  expect(exported).toContain('Shared logins,login,Fabrikam bank,,,0,https://bank.example,treasurer,Bank-Secret-4711,');
  expect(exported).toContain('IT Department,note,Server room door,"Code 2468, then #",,0,,,,');
  expect(exported).toContain('IT Department,login,Office router,,,0,,admin,Router-Pass-99,');
  await expect(su.getByText('Exported 3 item(s) to bitwarden_org_export_fabrikam_ltd.csv.')).toBeVisible();

  // Deleting asks first; Cancel keeps the item. Delete moves it to the
  // organisation's Trash, where Delete forever (asked again) ends it.
  await items.getByRole('button', { name: 'Delete Office router' }).click();
  const del = su.getByRole('dialog', { name: 'Delete item' });
  await expect(del.getByText("Delete Office router? It moves to the organisation's Trash, where it can be restored for 30 days.")).toBeVisible();
  await del.getByRole('button', { name: 'Cancel' }).click();
  await expect(items.getByRole('row').filter({ hasText: 'Office router' })).toBeVisible();
  await items.getByRole('button', { name: 'Delete Office router' }).click();
  await del.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(su.getByText('Office router moved to the Trash.')).toBeVisible();
  await expect(items.getByRole('row').filter({ hasText: 'Office router' })).toHaveCount(0);
  await su.getByLabel('Show', { exact: true }).selectOption({ label: 'Trash' });
  await items.getByRole('button', { name: 'Delete Office router forever' }).click();
  const purge = su.getByRole('dialog', { name: 'Delete for good' });
  await expect(purge.getByText('Delete Office router? It is deleted for everyone in this organisation, for good')).toBeVisible();
  await purge.getByRole('button', { name: 'Delete forever' }).click();
  await expect(su.getByText('Office router deleted for good.')).toBeVisible();
  await expect(items.getByRole('row').filter({ hasText: 'Office router' })).toHaveCount(0);
  await su.getByLabel('Show', { exact: true }).selectOption({ label: 'All items' });

  // Bulk: Select all → ⋮ → Assign to collections adds both items to Shared
  // logins (the door code stays in IT); then Delete removes the ticked one.
  await items.getByRole('checkbox', { name: 'Select all' }).check();
  await expect(su.getByText('2 selected')).toBeVisible();
  await su.getByRole('button', { name: 'Bulk actions' }).click();
  await su.getByRole('menuitem', { name: 'Assign to collections' }).click();
  const assign = su.getByRole('dialog', { name: 'Assign to collections' });
  await expect(assign.getByText('Add the 2 selected item(s) to these collections.')).toBeVisible();
  await assign.getByRole('button', { name: 'Assign' }).click();
  await expect(assign.getByText('Choose at least one collection.')).toBeVisible();
  await assign.getByRole('checkbox', { name: 'Shared logins' }).check();
  await expectNoAxeViolations(su);
  await assign.getByRole('button', { name: 'Assign' }).click();
  await expect(su.getByText('2 item(s) assigned to 1 collection(s).')).toBeVisible();
  const door = items.getByRole('row').filter({ hasText: 'Server room door' });
  await expect(door.getByRole('cell', { name: /Shared logins/ })).toContainText('IT Department');
  await items.getByRole('checkbox', { name: 'Select all' }).uncheck();
  await expect(su.getByText('2 selected')).toHaveCount(0);
  await items.getByRole('checkbox', { name: 'Select Server room door' }).check();
  await su.getByRole('button', { name: 'Bulk actions' }).click();
  await su.getByRole('menuitem', { name: 'Delete' }).click();
  const bulkDel = su.getByRole('dialog', { name: 'Delete items' });
  await expect(bulkDel.getByText("Delete 1 selected item(s)? They move to the organisation's Trash")).toBeVisible();
  await bulkDel.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(su.getByText('1 item(s) moved to the Trash.')).toBeVisible();
  await expect(door).toHaveCount(0);
  await expect(items.getByRole('row').filter({ hasText: 'Fabrikam bank' })).toBeVisible();
  await expect(su.getByText('1 selected')).toHaveCount(0);

  // A Bitwarden JSON export with every item type, custom field kind, TOTP,
  // password history and nested collection names imports, and exports again
  // unchanged, field by field.
  const fixturePath = new URL('../../domain/tests/fixtures/bitwarden_export.json', import.meta.url);
  const fixture = JSON.parse(await fs.readFile(fixturePath, 'utf8'));
  await su.getByRole('button', { name: 'Import data' }).click();
  await imp.getByLabel('Choose a file').setInputFiles(fixturePath.pathname);
  await expect(imp.getByText('5 item(s) ready to import: 1 login, 1 card, 1 identity, 1 secure note, 1 SSH key.')).toBeVisible();
  await expect(imp.getByText('New collection(s): Clients/Contoso, Finance.')).toBeVisible();
  await imp.getByRole('button', { name: 'Import data' }).click();
  await expect(su.getByText('Imported 5 item(s) and created 2 collection(s).')).toBeVisible();
  await expect(items.getByRole('row').filter({ hasText: 'Company Visa' }).getByRole('cell', { name: 'Finance' })).toBeVisible();
  await su.getByRole('button', { name: 'Export vault' }).click();
  await exp.getByLabel('File format').selectOption('.json');
  const [jsonDownload] = await Promise.all([su.waitForEvent('download'), exp.getByRole('button', { name: 'Confirm format' }).click()]);
  expect(jsonDownload.suggestedFilename()).toBe('bitwarden_org_export_fabrikam_ltd.json');
  const reexported = JSON.parse(await fs.readFile(await jsonDownload.path(), 'utf8'));
  const content = (v) => {
    if (Array.isArray(v)) return v.map(content);
    if (v && typeof v === 'object') {
      // A favourite is each person's own mark, not the organisation's item
      // (as in Bitwarden): an organisation's export carries none.
      const skip = ['id', 'organizationId', 'folderId', 'favorite', 'collectionIds', 'revisionDate', 'creationDate', 'deletedDate'];
      return Object.fromEntries(Object.entries(v)
        .filter(([k, x]) => !skip.includes(k) && x !== null && x !== false && x !== 0 && !(Array.isArray(x) && x.length === 0))
        .map(([k, x]) => [k, content(x)]));
    }
    return v;
  };
  const collectionsOf = (doc, item) => doc.collections.filter((c) => (item.collectionIds ?? []).includes(c.id)).map((c) => c.name).sort();
  for (const item of fixture.items) {
    const back = reexported.items.find((i) => i.name === item.name);
    expect(back, `${item.name} is exported`).toBeTruthy();
    expect(content(back), `${item.name}, field by field`).toEqual(content(item));
    expect(collectionsOf(reexported, back), `${item.name}'s collections`).toEqual(collectionsOf(fixture, item));
  }
  // The password-protected export opens only with its file password.
  await su.getByRole('button', { name: 'Export vault' }).click();
  await exp.getByLabel('File format').selectOption('.json (Password protected)');
  await expect(exp.getByText('The file is encrypted with the file password you choose.')).toBeVisible();
  await exp.getByLabel('File password', { exact: true }).fill('Export-Pass-2026');
  await exp.getByLabel('Confirm file password').fill('Export-Pass-2026');
  const [protectedDownload] = await Promise.all([su.waitForEvent('download'), exp.getByRole('button', { name: 'Confirm format' }).click()]);
  const sealed = await fs.readFile(await protectedDownload.path(), 'utf8');
  expect(JSON.parse(sealed).passwordProtected).toBe(true);
  expect(sealed).not.toContain('C0rrect-horse-battery');
  await su.getByRole('button', { name: 'Import data' }).click();
  await imp.getByLabel('Choose a file').setInputFiles({ name: 'protected.json', mimeType: 'application/json', buffer: Buffer.from(sealed) });
  await expect(imp.getByText('This export is protected by a file password')).toBeVisible();
  await imp.getByLabel('File password').fill('not the password');
  await imp.getByRole('button', { name: 'Open file' }).click();
  await expect(imp.getByText('The file password is not right.')).toBeVisible();
  await imp.getByLabel('File password').fill('Export-Pass-2026');
  await imp.getByRole('button', { name: 'Open file' }).click();
  await expect(imp.getByText('6 item(s) ready to import')).toBeVisible();
  await imp.getByRole('button', { name: 'Cancel' }).click();

  // Turns on a master password policy.
  await consoleNav.getByRole('link', { name: 'Policies' }).click();
  await su.getByRole('button', { name: 'Edit Master password requirements' }).click();
  const pol = su.getByRole('dialog', { name: 'Edit policy' });
  await pol.getByRole('checkbox', { name: 'Turn on' }).check();
  await pol.getByLabel('Minimum length').fill('20');
  await pol.getByLabel('Minimum complexity score').selectOption({ label: 'Strong (4)' });
  await pol.getByRole('button', { name: 'Save' }).click();
  await expect(su.getByText('Master password requirements saved.')).toBeVisible();
  await expect(su.getByRole('listitem').filter({ hasText: 'Master password requirements' }).getByText('On', { exact: true })).toBeVisible();
  await expectNoAxeViolations(su);
  await su.screenshot({ path: 'test-results/policies.png', fullPage: true });

  // The invited member signs up with a weak master password: refused.
  const memberCtx = await browser.newContext();
  const member = await memberCtx.newPage();
  await member.goto(inviteLink(await waitForMail(memberEmail, 'Join Fabrikam Ltd')));
  await hydrated(member);
  await expect(member.getByText('You have been invited to join the organisation')).toBeVisible();
  await member.getByRole('link', { name: 'Create account' }).click();
  await expect(member.getByTestId('policy-requirements')).toContainText('at least 20 characters');
  await member.getByLabel('Name', { exact: true }).fill('Mia Member');
  await member.getByLabel('Master password', { exact: true }).fill('summer holidays');
  await member.getByLabel('Confirm master password').fill('summer holidays');
  pageErrors.allow(/status of 422/); // the refused weak password
  await member.getByRole('button', { name: 'Create account' }).click();
  await expect(member.getByText("Your organisation's policy requires a master password with at least 20 characters")).toBeVisible();
  await expect(member).toHaveURL(/\/register/);
  await member.screenshot({ path: 'test-results/weak-signup.png', fullPage: true });
  // With one that meets the policy, the member joins.
  const miaPassword = 'Periwinkle-Anchor-Saffron-Meadow-71!';
  await member.getByLabel('Master password', { exact: true }).fill(miaPassword);
  await member.getByLabel('Confirm master password').fill(miaPassword);
  await member.getByRole('button', { name: 'Create account' }).click();
  await member.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(member).toHaveURL(/\/vault$/);

  // Seats: raised within the provider's total, refused beyond it.
  await consoleNav.getByRole('link', { name: 'Seats' }).click();
  await su.getByLabel('Seats for this client').fill('8');
  await su.getByRole('button', { name: 'Save seats' }).click();
  await expect(su.getByText('Seats saved.')).toBeVisible();
  await su.getByLabel('Seats for this client').fill('11');
  await su.getByRole('button', { name: 'Save seats' }).click();
  await expect(su.getByText("Only 10 of the provider's seats are unassigned; this needs 1 more.")).toBeVisible();
  await expectNoAxeViolations(su);

  // The Owner joins with a master password that meets the policy; the service
  // user confirms them, sealing the organisation key (opened with the provider key) to them.
  const ownerCtx = await browser.newContext();
  const owner = await ownerCtx.newPage();
  await owner.goto(inviteLink(await waitForMail(ownerEmail, 'Join Fabrikam Ltd')));
  await hydrated(owner);
  await owner.getByRole('link', { name: 'Create account' }).click();
  const strong = 'Tangerine-Quartz-Bicycle-Lantern-93!';
  await owner.getByLabel('Name', { exact: true }).fill('Olga Owner');
  await owner.getByLabel('Master password', { exact: true }).fill(strong);
  await owner.getByLabel('Confirm master password').fill(strong);
  await owner.getByRole('button', { name: 'Create account' }).click();
  await owner.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(owner).toHaveURL(/\/vault$/);

  await consoleNav.getByRole('link', { name: 'Members' }).click();
  const ownerRow = su.getByRole('row').filter({ hasText: ownerEmail });
  await expect(ownerRow.getByText('Needs confirmation', { exact: true })).toBeVisible();
  await expect(ownerRow.getByRole('cell', { name: 'Owner', exact: true })).toBeVisible();
  await su.getByRole('button', { name: `Options for ${ownerEmail}` }).click();
  await su.getByRole('menuitem', { name: 'Confirm', exact: true }).click();
  const confirmOwner = su.getByRole('dialog', { name: 'Confirm members' });
  await expect(confirmOwner.getByLabel(`Fingerprint phrase of ${ownerEmail}`)).toBeVisible();
  await confirmOwner.getByRole('button', { name: 'Confirm' }).click();
  await expect(su.getByRole('dialog', { name: 'Results' }).getByText(`${ownerEmail} — done`)).toBeVisible();
  await su.getByRole('dialog', { name: 'Results' }).getByRole('button', { name: 'Close', exact: true }).click();
  await expect(ownerRow.getByText('Confirmed', { exact: true })).toBeVisible();

  // The member, from "Confirm selected": the selection empties and the page keeps working.
  const miaRow = su.getByRole('row').filter({ hasText: memberEmail });
  await expect(miaRow.getByText('Needs confirmation', { exact: true })).toBeVisible();
  await su.getByRole('checkbox', { name: `Select ${memberEmail}` }).check();
  await expect(su.getByText('1 selected')).toBeVisible();
  await su.getByRole('button', { name: 'Bulk actions' }).click();
  await su.getByRole('menuitem', { name: 'Confirm selected' }).click();
  const confirmMia = su.getByRole('dialog', { name: 'Confirm members' });
  await expect(confirmMia.getByLabel(`Fingerprint phrase of ${memberEmail}`)).toBeVisible();
  await confirmMia.getByRole('button', { name: 'Confirm' }).click();
  await expect(su.getByRole('dialog', { name: 'Results' }).getByText(`${memberEmail} — done`)).toBeVisible();
  await su.getByRole('dialog', { name: 'Results' }).getByRole('button', { name: 'Close', exact: true }).click();
  await expect(miaRow.getByText('Confirmed', { exact: true })).toBeVisible();
  await expect(su.getByText('1 selected')).toHaveCount(0);
  const laterEmail = `later-${memberEmail}`;
  await su.getByRole('button', { name: 'Invite member' }).click();
  const again = su.getByRole('dialog', { name: 'Invite member' });
  await again.getByLabel('Email').fill(laterEmail);
  await again.getByRole('button', { name: 'Save' }).click();
  await expect(again.getByRole('list', { name: 'Invitation results' }).getByText(`${laterEmail} — invited`)).toBeVisible();
  await again.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(su.getByRole('row').filter({ hasText: laterEmail }).getByText('Invited', { exact: true })).toBeVisible();

  // Mia's own vault now holds what the organisation shares with her: Fabrikam
  // bank (Shared logins, which her group Finance can edit), and nothing of the
  // collections she was not given (the imported Finance collection's card).
  await member.reload();
  await hydrated(member);
  await member.getByLabel('Master password').fill(miaPassword);
  await member.getByRole('button', { name: 'Unlock' }).click();
  const bank = member.getByRole('listitem').filter({ hasText: 'Fabrikam bank' });
  await expect(bank.getByText('Fabrikam Ltd', { exact: true })).toBeVisible();
  await expect(member.getByRole('button', { name: 'Company Visa', exact: true })).toHaveCount(0);
  const vaultFilter = member.getByLabel('Vault', { exact: true });
  await vaultFilter.selectOption({ label: 'My vault' });
  await expect(bank).toHaveCount(0);
  await vaultFilter.selectOption({ label: 'Fabrikam Ltd' });
  await member.getByRole('button', { name: 'Fabrikam bank', exact: true }).click();
  const bankItem = member.getByRole('dialog', { name: 'Item' });
  await expect(bankItem.getByLabel('Password', { exact: true })).toHaveValue('Bank-Secret-4711');
  await bankItem.getByLabel('Notes', { exact: true }).fill('Treasury account; ask Mia.');
  await bankItem.getByRole('button', { name: 'Save' }).click();
  await expect(bankItem).toBeHidden();
  // A new item goes into a collection she can edit, chosen as its owner.
  await member.getByRole('button', { name: 'New item' }).click();
  const newShared = member.getByRole('dialog', { name: 'Item' });
  await newShared.getByLabel('Name', { exact: true }).fill('Payroll portal');
  await newShared.getByLabel('Password', { exact: true }).fill('Payroll-Pass-5');
  await newShared.getByLabel('Owner').selectOption({ label: 'Fabrikam Ltd — Shared logins' });
  await newShared.getByRole('button', { name: 'Save' }).click();
  await expect(member.getByRole('listitem').filter({ hasText: 'Payroll portal' }).getByText('Fabrikam Ltd', { exact: true })).toBeVisible();
  await member.screenshot({ path: 'test-results/member-shared-vault.png', fullPage: true });
  // The service user's Admin Console shows both, in Shared logins.
  await consoleNav.getByRole('link', { name: 'Vault' }).click();
  await expect(items.getByRole('row').filter({ hasText: 'Payroll portal' }).getByRole('cell', { name: 'Shared logins' })).toBeVisible();

  // Account recovery. The service user sets it up under Policies (the
  // organisation's key pair is made in this browser)…
  await consoleNav.getByRole('link', { name: 'Policies' }).click();
  const recoverySetup = su.getByRole('region', { name: 'Account recovery administration' });
  await recoverySetup.getByRole('button', { name: 'Set up account recovery' }).click();
  await expect(recoverySetup.getByRole('status')).toContainText('Set up');
  // …Mia keeps a personal item, compares the organisation's fingerprint
  // phrase and enrols under My account (her user key sealed to it here)…
  await vaultFilter.selectOption({ label: 'All vaults' });
  await member.getByRole('button', { name: 'New item' }).click();
  const personal = member.getByRole('dialog', { name: 'Item' });
  await personal.getByLabel('Name', { exact: true }).fill('Home wifi');
  await personal.getByLabel('Password', { exact: true }).fill('Wifi-Pass-2468');
  await personal.getByRole('button', { name: 'Save' }).click();
  await expect(member.getByRole('button', { name: 'Home wifi', exact: true })).toBeVisible();
  await member.getByRole('button', { name: 'Account menu' }).click();
  await member.getByRole('menuitem', { name: 'My account' }).click();
  const enrolment = member.getByRole('region', { name: 'Account recovery' });
  await expect(enrolment.getByText(/Fingerprint phrase: \w+(-\w+){4}/)).toBeVisible();
  await enrolment.getByRole('button', { name: 'Enrol in Fabrikam Ltd' }).click();
  await expect(enrolment.getByText('Enrolled', { exact: true })).toBeVisible();
  await expectNoAxeViolations(member);
  // …forgets her master password, and the service user recovers her account
  // from the client's Members table.
  await consoleNav.getByRole('link', { name: 'Members' }).click();
  await su.getByRole('button', { name: `Options for ${memberEmail}` }).click();
  await su.getByRole('menuitem', { name: 'Recover account' }).click();
  const recover = su.getByRole('dialog', { name: 'Recover account' });
  await recover.getByLabel('New master password', { exact: true }).fill('short');
  await recover.getByLabel('Confirm new master password').fill('short');
  await recover.getByRole('button', { name: 'Reset master password' }).click();
  await expect(recover.getByText(/at least 12 characters/)).toBeVisible();
  const temporary = 'Lighthouse-Cobalt-Juniper-Quarry-93#';
  await recover.getByLabel('New master password', { exact: true }).fill(temporary);
  await recover.getByLabel('Confirm new master password').fill(temporary);
  await su.screenshot({ path: 'test-results/recover-account.png', fullPage: true });
  await recover.getByRole('button', { name: 'Reset master password' }).click();
  await expect(su.getByText(/master password was reset/)).toBeVisible();
  await expect(recover).toBeHidden();
  await waitForMail(memberEmail, 'Your master password was reset by Fabrikam Ltd');
  // Her sessions ended: she logs in with the new password, is asked to
  // choose her own, and her vault opens as before (personal and shared).
  await member.goto('/login');
  await hydrated(member);
  pageErrors.allow(/status of 403/); // the forgotten password, refused on purpose
  await member.getByLabel('Email address').fill(memberEmail);
  await member.getByLabel('Master password').fill(miaPassword);
  await member.getByRole('button', { name: 'Log in' }).click();
  await expect(member.getByText('Invalid email or master password.')).toBeVisible();
  await member.getByLabel('Master password').fill(temporary);
  await member.getByRole('button', { name: 'Log in' }).click();
  await expect(member).toHaveURL(/\/settings\/account/);
  await expect(member.getByText('An administrator reset your master password (account recovery).')).toBeVisible();
  await member.screenshot({ path: 'test-results/recovered-member.png', fullPage: true });
  await member.getByRole('navigation', { name: 'Product switcher' }).getByRole('link', { name: 'Password Manager' }).click();
  await expect(member.getByRole('button', { name: 'Home wifi', exact: true })).toBeVisible();
  await expect(member.getByRole('button', { name: 'Fabrikam bank', exact: true })).toBeVisible();
  await expect(member.getByRole('button', { name: 'Payroll portal', exact: true })).toBeVisible();
  await member.getByRole('button', { name: 'Home wifi', exact: true }).click();
  await expect(member.getByRole('dialog', { name: 'Item' }).getByLabel('Password', { exact: true })).toHaveValue('Wifi-Pass-2468');
  await member.getByRole('dialog', { name: 'Item' }).getByRole('button', { name: 'Cancel' }).click();
  await member.getByRole('button', { name: 'Account menu' }).click();
  await member.getByRole('menuitem', { name: 'My account' }).click();
  const miaOwn = 'Cinnamon-Harvest-Orbit-Willow-64&';
  await member.getByLabel('Current master password').fill(temporary);
  await member.getByLabel('New master password', { exact: true }).fill(miaOwn);
  await member.getByLabel('Confirm new master password').fill(miaOwn);
  await member.getByRole('button', { name: 'Change master password' }).click();
  await expect(member.getByText('Master password changed.')).toBeVisible();
  await expect(member.getByText('An administrator reset your master password (account recovery).')).toHaveCount(0);

  // Policies the members' browsers keep: Vault timeout (1 minute, then lock)
  // and Remove individual vault export; and automatic enrolment in account
  // recovery for people who join from now on.
  await consoleNav.getByRole('link', { name: 'Policies' }).click();
  const editPolicy = async (name, fill) => {
    await su.getByRole('button', { name: `Edit ${name}` }).click();
    await pol.getByRole('checkbox', { name: 'Turn on' }).check();
    if (fill) await fill();
    await pol.getByRole('button', { name: 'Save' }).click();
    await expect(su.getByText(`${name} saved.`)).toBeVisible();
  };
  await editPolicy('Vault timeout', async () => {
    await pol.getByLabel('Maximum vault timeout (minutes)').fill('0');
    await pol.getByRole('button', { name: 'Save' }).click();
    await expect(pol.getByText('The vault timeout must be between 1 minute and 7 days (10080 minutes).')).toBeVisible();
    await pol.getByLabel('Maximum vault timeout (minutes)').fill('1');
    await pol.getByLabel('Vault timeout action').selectOption({ label: 'Lock' });
  });
  await editPolicy('Remove individual vault export');
  await editPolicy('Account recovery administration', () => pol.getByRole('checkbox', { name: /Automatically enrol new members/ }).check());
  await expect(su.getByRole('listitem').filter({ hasText: 'Vault timeout' }).getByText('On', { exact: true })).toBeVisible();
  await su.screenshot({ path: 'test-results/policies-all.png', fullPage: true });
  // Mia's vault: no export of her own items, and it locks after a minute
  // without activity (the page's clock is moved on by the test).
  await member.clock.install();
  await member.goto('/vault');
  await hydrated(member);
  await member.getByLabel('Master password').fill(miaOwn);
  await member.getByRole('button', { name: 'Unlock' }).click();
  await expect(member.getByRole('button', { name: 'Home wifi', exact: true })).toBeVisible();
  await member.getByRole('button', { name: 'Export vault' }).click();
  const noExport = member.getByRole('dialog', { name: 'Export vault' });
  await expect(noExport.getByText(/prevents you from exporting your individual vault/)).toBeVisible();
  await expect(noExport.getByRole('button', { name: 'Confirm format' })).toHaveCount(0);
  await noExport.getByRole('button', { name: 'Close dialog' }).click();
  await member.clock.fastForward('00:40');
  await expect(member.getByRole('button', { name: 'Home wifi', exact: true })).toBeVisible();
  await member.clock.fastForward('00:40');
  await expect(member.getByRole('heading', { name: 'Your vault is locked' })).toBeVisible();
  await expect(member.getByText('Your vault locked after 1 minute without activity')).toBeVisible();
  await member.screenshot({ path: 'test-results/vault-timeout.png', fullPage: true });
  await member.getByLabel('Master password').fill(miaOwn);
  await member.getByRole('button', { name: 'Unlock' }).click();
  await expect(member.getByRole('button', { name: 'Home wifi', exact: true })).toBeVisible();

  // The Owner opens the Admin Console of their organisation (and nothing of the provider's).
  await owner.goto('/vault');
  await hydrated(owner);
  await owner.getByRole('navigation', { name: 'Product switcher' }).getByRole('link', { name: 'Admin Console' }).click();
  await expect(owner.getByRole('complementary', { name: 'Admin Console' })).toBeVisible();
  await owner.getByLabel('Master password').fill(strong);
  await owner.getByRole('button', { name: 'Unlock' }).click();
  await expect(owner.getByRole('heading', { name: 'Members', exact: true })).toBeVisible();
  await expect(owner.getByText('Admin Console · Owner')).toBeVisible();
  await expect(owner.getByRole('complementary', { name: 'Admin Console' }).getByRole('link', { name: 'Seats' })).toBeVisible();
  pageErrors.allow(/status of 403/); // the Owner's own request for the provider's clients, refused on purpose
  const refused = await owner.evaluate(async (provider) => (await fetch('/api/clients/list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider_id: provider }) })).status, pid);
  expect(refused).toBe(403);

  // The policy also holds when the Owner changes their master password.
  await owner.getByRole('button', { name: 'Account menu' }).click();
  await owner.getByRole('menuitem', { name: 'My account' }).click();
  await owner.getByLabel('Current master password').fill(strong);
  await owner.getByLabel('New master password', { exact: true }).fill('short but twelve');
  await owner.getByLabel('Confirm new master password').fill('short but twelve');
  await owner.getByRole('button', { name: 'Change master password' }).click();
  await expect(owner.getByText("Your organisation's policy requires a master password with at least 20 characters")).toBeVisible();
  const stronger = 'Marmalade-Violin-Glacier-Tornado-58?';
  await owner.getByLabel('New master password', { exact: true }).fill(stronger);
  await owner.getByLabel('Confirm new master password').fill(stronger);
  await owner.getByRole('button', { name: 'Change master password' }).click();
  await expect(owner.getByText('Master password changed.')).toBeVisible();
  await expectNoAxeViolations(owner);

  // The member invited earlier joins now: the invitation page says the
  // organisation enrols its members in account recovery and shows its
  // fingerprint phrase; accepting enrols (in this browser) and confirming
  // makes the account recoverable from the Members table.
  const laterCtx = await browser.newContext();
  const later = await laterCtx.newPage();
  await later.goto(inviteLink(await waitForMail(laterEmail, 'Join Fabrikam Ltd')));
  await hydrated(later);
  await later.getByRole('link', { name: 'Create account' }).click();
  const laterPassword = 'Driftwood-Saturn-Pepper-Canyon-27%';
  await later.getByLabel('Name', { exact: true }).fill('Leo Later');
  await later.getByLabel('Master password', { exact: true }).fill(laterPassword);
  await later.getByLabel('Confirm master password').fill(laterPassword);
  await later.getByRole('button', { name: 'Create account' }).click();
  const enrolNote = later.getByRole('note');
  await expect(enrolNote).toContainText('This organisation enrols its members in account recovery');
  await expect(enrolNote).toContainText(/Organisation's fingerprint phrase: \w+(-\w+){4}/);
  await later.screenshot({ path: 'test-results/accept-auto-enrol.png', fullPage: true });
  await later.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(later).toHaveURL(/\/vault$/);
  await consoleNav.getByRole('link', { name: 'Members' }).click();
  await su.getByRole('button', { name: `Options for ${laterEmail}` }).click();
  await su.getByRole('menuitem', { name: 'Confirm', exact: true }).click();
  await su.getByRole('dialog', { name: 'Confirm members' }).getByRole('button', { name: 'Confirm' }).click();
  await expect(su.getByRole('dialog', { name: 'Results' }).getByText(`${laterEmail} — done`)).toBeVisible();
  await su.getByRole('dialog', { name: 'Results' }).getByRole('button', { name: 'Close', exact: true }).click();
  await su.getByRole('button', { name: `Options for ${laterEmail}` }).click();
  await expect(su.getByRole('menuitem', { name: 'Recover account' })).toBeVisible();
  await su.keyboard.press('Escape');
  await later.reload();
  await hydrated(later);
  await later.getByLabel('Master password').fill(laterPassword);
  await later.getByRole('button', { name: 'Unlock' }).click();
  await later.getByRole('button', { name: 'Account menu' }).click();
  await later.getByRole('menuitem', { name: 'My account' }).click();
  const laterEnrolment = later.getByRole('region', { name: 'Account recovery' });
  await expect(laterEnrolment.getByText('Enrolled', { exact: true })).toBeVisible();
  await expect(laterEnrolment.getByText("Required by the organisation's policy: you cannot withdraw.")).toBeVisible();
  await expect(laterEnrolment.getByRole('button', { name: 'Withdraw from Fabrikam Ltd' })).toHaveCount(0);
  await laterCtx.close();

  // Deleting a collection asks first and says what it drops: the imported
  // Finance collection's card is in no other collection.
  await consoleNav.getByRole('link', { name: 'Collections' }).click();
  await su.getByRole('button', { name: 'Delete Finance' }).click();
  const dropColl = su.getByRole('dialog', { name: 'Delete collection?' });
  await expect(dropColl.getByText('Delete the collection Finance?')).toBeVisible();
  await expect(dropColl.getByText(/It holds \d+ item\(s\); \d+ of them are in no other collection and become unassigned/)).toBeVisible();
  await dropColl.getByRole('button', { name: 'Cancel' }).click();
  await expect(dropColl).toBeHidden();
  await expect(su.getByRole('button', { name: 'Delete Finance' })).toBeVisible();
  await su.getByRole('button', { name: 'Delete Finance' }).click();
  await dropColl.getByRole('button', { name: 'Delete collection' }).click();
  await expect(su.getByRole('button', { name: 'Delete Finance' })).toHaveCount(0);
  await consoleNav.getByRole('link', { name: 'Vault' }).click();
  await expect(items.getByRole('row').filter({ hasText: 'Company Visa' })).toBeVisible();

  // The organisation's event log has it all.
  await consoleNav.getByRole('link', { name: 'Event logs' }).click();
  for (const kind of ['vault opened by provider', 'collection deleted', 'account recovered', 'recovery enrolled', 'recovery keys created', 'items deleted', 'vault exported', 'vault imported', 'item created', 'seats changed', 'policy changed', 'collection created', 'group created', 'member invited', 'organisation created']) {
    await expect(su.getByRole('cell', { name: kind, exact: true }).first()).toBeVisible();
  }
  await su.screenshot({ path: 'test-results/admin-console-events.png', fullPage: true });
  await Promise.all([adminCtx.close(), suCtx.close(), memberCtx.close(), ownerCtx.close()]);
});

test('the onboarding queue shows every client\'s waiting members, and resends and confirms across clients', async ({ browser, pageErrors }) => {
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  await createAccount(admin, { email: uniqueEmail('queue-admin'), name: 'Quinn Queue' });
  await expect(admin).toHaveURL(/\/vault$/);
  await open(admin, '/providers/setup');
  await admin.getByLabel('Provider name').fill('Litware MSP');
  await admin.getByRole('button', { name: 'Set up provider' }).click();
  await expect(admin.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible(); // a new provider lands on its Clients list
  const pid = admin.url().split('/')[4];
  const nav = admin.getByRole('complementary', { name: 'Provider' });
  await nav.getByRole('link', { name: 'Subscription' }).click();
  await admin.getByLabel('Total seats').fill('10');
  await admin.getByRole('button', { name: 'Save seats' }).click();
  await expect(admin.getByText('Seats saved.')).toBeVisible();
  const owners = { 'Alpine Ski House': uniqueEmail('alpine'), 'Blue Yonder': uniqueEmail('yonder'), 'Coho Winery': uniqueEmail('coho') };
  await nav.getByRole('link', { name: 'Clients' }).click();
  for (const [client, owner] of Object.entries(owners)) {
    await admin.getByRole('button', { name: 'New client' }).click();
    const create = admin.getByRole('dialog', { name: 'New client' });
    await create.getByLabel('Organisation name').fill(client);
    await create.getByLabel('Owner email').fill(owner);
    await create.getByLabel('Seats').fill('2');
    await create.getByRole('button', { name: 'Create client' }).click();
    await expect(admin.getByRole('row').filter({ hasText: client })).toBeVisible();
  }
  // Two Owners accept (they then need confirming); the third has not yet.
  for (const client of ['Alpine Ski House', 'Blue Yonder']) {
    const ctx = await browser.newContext();
    const owner = await ctx.newPage();
    await owner.goto(inviteLink(await waitForMail(owners[client], `Join ${client}`)));
    await hydrated(owner);
    await owner.getByRole('link', { name: 'Create account' }).click();
    await owner.getByLabel('Name', { exact: true }).fill(`Owner of ${client}`);
    await owner.getByLabel('Master password', { exact: true }).fill(PASSWORD);
    await owner.getByLabel('Confirm master password').fill(PASSWORD);
    await owner.getByRole('button', { name: 'Create account' }).click();
    await owner.getByRole('button', { name: 'Accept invitation' }).click();
    await expect(owner).toHaveURL(/\/vault$/);
    await ctx.close();
  }

  await nav.getByRole('link', { name: 'Onboarding' }).click();
  const queue = admin.getByRole('table', { name: 'Onboarding queue' });
  await expect(queue.getByRole('row')).toHaveCount(4);
  await expect(admin.getByRole('tab', { name: 'Needs confirmation 2' })).toBeVisible();
  await expect(admin.getByRole('tab', { name: 'Invited 1' })).toBeVisible();
  await admin.getByLabel('Search onboarding').fill('coho');
  await expect(queue.getByRole('row')).toHaveCount(2);
  await admin.getByLabel('Search onboarding').fill('');
  await expectNoAxeViolations(admin);
  await admin.screenshot({ path: 'test-results/onboarding.png', fullPage: true });

  // Resend the waiting invitation: a new mail goes out.
  const before = (await mailsTo(owners['Coho Winery'])).length;
  await admin.getByRole('checkbox', { name: `Select ${owners['Coho Winery']} in Coho Winery` }).check();
  await admin.getByRole('button', { name: 'Resend invitations' }).click();
  const results = admin.getByRole('dialog', { name: 'Results' });
  await expect(results.getByText(`${owners['Coho Winery']} — done`)).toBeVisible();
  await results.getByRole('button', { name: 'Close', exact: true }).click();
  await expect.poll(async () => (await mailsTo(owners['Coho Winery'])).length).toBe(before + 1);

  // The third Owner accepts from the new mail: the queue updates by itself.
  const cohoCtx = await browser.newContext();
  const coho = await cohoCtx.newPage();
  await coho.goto(inviteLink(await waitForMail(owners['Coho Winery'], 'Join Coho Winery')));
  await hydrated(coho);
  await coho.getByRole('link', { name: 'Create account' }).click();
  await coho.getByLabel('Name', { exact: true }).fill('Owner of Coho Winery');
  await coho.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await coho.getByLabel('Confirm master password').fill(PASSWORD);
  await coho.getByRole('button', { name: 'Create account' }).click();
  await coho.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(coho).toHaveURL(/\/vault$/);
  await cohoCtx.close();
  await expect(admin.getByRole('tab', { name: 'Needs confirmation 3' })).toBeVisible();
  await expect(queue.getByRole('row').filter({ hasText: 'Coho Winery' }).getByText('Needs confirmation', { exact: true })).toBeVisible();

  // Confirm all three Owners at once: one dialog per client, each with its
  // member's fingerprint phrase and the client's own key.
  const clients = Object.keys(owners);
  await admin.getByRole('tab', { name: /Needs confirmation/ }).click();
  await admin.getByRole('checkbox', { name: 'Select all' }).check();
  await expect(admin.getByText('3 selected')).toBeVisible();
  await admin.getByRole('button', { name: 'Confirm selected' }).click();
  for (const client of clients) {
    const dialog = admin.getByRole('dialog', { name: 'Confirm members' });
    await expect(dialog.getByText(client, { exact: true })).toBeVisible();
    await expect(dialog.getByLabel(`Fingerprint phrase of ${owners[client]}`)).toHaveText(/\w+(-\w+){4}/);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
  }
  for (const client of clients) await expect(results.getByText(`${owners[client]} — done`)).toBeVisible();
  await results.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(admin.getByText('Nobody is waiting here')).toBeVisible();
  await admin.getByRole('tab', { name: /All/ }).click();
  await expect(admin.getByRole('tab', { name: 'All 0' })).toBeVisible();
  // Confirmed with the right key: the Alpine Owner's Members page lists them as Confirmed.
  await nav.getByRole('link', { name: 'Clients' }).click();
  await expect(admin.getByRole('row').filter({ hasText: 'Alpine Ski House' }).getByText('Owner confirmed', { exact: true })).toBeVisible();
  // A Provider admin renames a client; an empty name is refused.
  await admin.getByRole('button', { name: 'Options for Coho Winery' }).click();
  await admin.getByRole('menuitem', { name: 'Rename' }).click();
  const rename = admin.getByRole('dialog', { name: 'Rename client' });
  pageErrors.allow(/status of 422/); // the empty name, refused on purpose
  await rename.getByLabel('Organisation name').fill(' ');
  await rename.getByRole('button', { name: 'Save' }).click();
  await expect(rename.getByText('Organisation name is required.')).toBeVisible();
  await rename.getByLabel('Organisation name').fill('Coho Vineyard & Winery');
  await rename.getByRole('button', { name: 'Save' }).click();
  await expect(rename).toBeHidden();
  await expect(admin.getByRole('row').filter({ hasText: 'Coho Vineyard & Winery' })).toBeVisible();
  // The Owner filter offers the states present (all three Owners are confirmed by now) and keeps those rows.
  const ownerFilter = admin.getByLabel('Owner', { exact: true });
  await expect(ownerFilter.getByRole('option')).toHaveText(['Any Owner state', 'Owner confirmed']);
  await ownerFilter.selectOption({ label: 'Owner confirmed' });
  await expect(admin.getByRole('row').filter({ hasText: 'Owner confirmed' })).toHaveCount(3);
  await admin.getByRole('link', { name: 'Manage Alpine Ski House' }).click();
  await expect(admin.getByRole('row').filter({ hasText: owners['Alpine Ski House'] }).getByText('Confirmed', { exact: true })).toBeVisible();

  // One event log across the provider and every client, filtered by client
  // and event, and exported as filtered.
  await admin.goto(`/providers/${pid}/events`);
  await hydrated(admin);
  await expect(admin.getByRole('columnheader', { name: 'Client' })).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Alpine Ski House' }).filter({ hasText: 'member confirmed' })).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Litware MSP' }).filter({ hasText: 'client renamed' })).toBeVisible();
  await admin.getByLabel('Client', { exact: true }).selectOption({ label: 'Blue Yonder' });
  await expect(admin.getByRole('row').filter({ hasText: 'Alpine Ski House' })).toHaveCount(0);
  await admin.getByLabel('Event', { exact: true }).selectOption({ label: 'member accepted' });
  await expect(admin.getByText('1–1 of 1')).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Blue Yonder' }).filter({ hasText: owners['Blue Yonder'] })).toBeVisible();
  await admin.screenshot({ path: 'test-results/provider-events-across-clients.png', fullPage: true });
  const downloading = admin.waitForEvent('download');
  await admin.getByRole('link', { name: 'Export CSV' }).click();
  const file = await downloading;
  expect(file.suggestedFilename()).toMatch(/^events_litware-msp_start_\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = fs.readFileSync(await file.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('organisation,time_utc,unix_time,event,actor,member,detail,ip');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('"Blue Yonder"');
  expect(lines[1]).toContain('"member_accepted"');

  // A policy baseline: two-step login required. All three clients differ;
  // applied to two of them (after a confirm step listing the change), they match.
  await nav.getByRole('link', { name: 'Policy baseline' }).click();
  await admin.getByLabel('Master password').fill(PASSWORD); // the event log was opened by its address: a new page load
  await admin.getByRole('button', { name: 'Unlock' }).click();
  await admin.getByRole('button', { name: 'Edit Require two-step login in the baseline' }).click();
  const edit = admin.getByRole('dialog', { name: 'Edit baseline policy' });
  await edit.getByLabel('Compare clients against this policy').check();
  await edit.getByLabel('Clients should have it on').check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByText('Require two-step login saved.')).toBeVisible();
  await expect(admin.getByText('3 of 3 clients differ.')).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Blue Yonder' }).getByText('Require two-step login: Off → On')).toBeVisible();
  await admin.getByRole('checkbox', { name: 'Select Alpine Ski House' }).check();
  await admin.getByRole('checkbox', { name: 'Select Blue Yonder' }).check();
  await admin.getByRole('button', { name: 'Apply baseline to selected (2)' }).click();
  const apply = admin.getByRole('dialog', { name: 'Apply baseline' });
  await expect(apply.getByText('Require two-step login: Off → On')).toHaveCount(2);
  await admin.screenshot({ path: 'test-results/policy-baseline.png', fullPage: true });
  await apply.getByRole('button', { name: 'Apply baseline' }).click();
  await expect(admin.getByText('Baseline applied: 2 policies changed in 2 clients.')).toBeVisible();
  await expect(admin.getByText('1 of 3 clients differ.')).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Alpine Ski House' }).getByText('Matches baseline')).toBeVisible();
  await expectNoAxeViolations(admin);
  await nav.getByRole('link', { name: 'Clients' }).click();
  await expect(admin.getByRole('row').filter({ hasText: 'Blue Yonder' }).getByText('Matches baseline')).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Coho Vineyard & Winery' }).getByRole('link', { name: '1 difference' })).toBeVisible();

  // Suspend Coho: its Owner is shut out until it is restored.
  const cohoMembers = await admin.getByRole('link', { name: 'Manage Coho Vineyard & Winery' }).getAttribute('href');
  await admin.getByRole('button', { name: 'Options for Coho Vineyard & Winery' }).click();
  await admin.getByRole('menuitem', { name: 'Suspend' }).click();
  await admin.getByRole('dialog', { name: 'Suspend client' }).getByRole('button', { name: 'Suspend' }).click();
  await expect(admin.getByText('Coho Vineyard & Winery suspended.', { exact: false })).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Coho Vineyard & Winery' }).getByText('Suspended', { exact: true })).toBeVisible();
  await admin.getByRole('link', { name: 'Manage Coho Vineyard & Winery' }).click();
  await expect(admin.getByRole('note')).toContainText('This client is suspended');
  await admin.goBack();
  const ownerCtx = await browser.newContext();
  const cohoOwner = await ownerCtx.newPage();
  await logIn(cohoOwner, owners['Coho Winery']);
  await expect(cohoOwner).toHaveURL(/\/vault$/);
  pageErrors.allow(/status of 403/); // the suspended organisation, refused on purpose
  await cohoOwner.goto(cohoMembers);
  await hydrated(cohoOwner);
  await expect(cohoOwner.getByText('This organisation is suspended by its provider', { exact: false })).toBeVisible();
  await admin.getByRole('button', { name: 'Options for Coho Vineyard & Winery' }).click();
  await admin.getByRole('menuitem', { name: 'Restore' }).click();
  await expect(admin.getByText('Coho Vineyard & Winery restored', { exact: false })).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Coho Vineyard & Winery' }).getByText('Suspended', { exact: true })).toHaveCount(0);
  await open(cohoOwner, cohoMembers);
  await expect(cohoOwner.getByRole('row').filter({ hasText: owners['Coho Winery'] })).toBeVisible();
  await ownerCtx.close();


  // The month's usage lists every client, on the page and in the CSV.
  await nav.getByRole('link', { name: 'Subscription' }).click();
  const usage = admin.getByRole('table', { name: 'Usage' });
  await expect(usage.getByRole('row')).toHaveCount(4);
  await expect(usage.getByRole('row').filter({ hasText: 'Alpine Ski House' }).getByRole('cell')).toHaveText(['Alpine Ski House', '2', '1', '1', '1', '0']);
  const usageDownload = admin.waitForEvent('download');
  await admin.getByRole('link', { name: 'Export usage CSV' }).click();
  const usageFile = await usageDownload;
  expect(usageFile.suggestedFilename()).toMatch(/^usage_litware-msp_\d{4}-\d{2}\.csv$/);
  const usageLines = fs.readFileSync(await usageFile.path(), 'utf8').trim().split('\n');
  expect(usageLines[0]).toBe('client,month,status,seats_assigned,seats_used,peak_seats_used,members_added,members_removed');
  expect(usageLines.slice(1).map((l) => l.split(',')[0])).toEqual(['"Alpine Ski House"', '"Blue Yonder"', '"Coho Vineyard & Winery"']);
  await nav.getByRole('link', { name: 'Clients' }).click();

  // Delete Blue Yonder: only once its name is typed; its 2 seats come back.
  await expect(admin.getByTestId('seats-remaining')).toHaveText('4');
  await admin.getByRole('button', { name: 'Options for Blue Yonder' }).click();
  await admin.getByRole('menuitem', { name: 'Delete' }).click();
  const del = admin.getByRole('dialog', { name: 'Delete client' });
  await expect(del.getByRole('button', { name: 'Delete client' })).toBeDisabled();
  await del.getByLabel('Client name').fill('Blue');
  await expect(del.getByRole('button', { name: 'Delete client' })).toBeDisabled();
  await del.getByLabel('Client name').fill('Blue Yonder');
  await del.getByRole('button', { name: 'Delete client' }).click();
  await expect(admin.getByText('Blue Yonder deleted; its 2 seats are unassigned again.')).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Blue Yonder' })).toHaveCount(0);
  await expect(admin.getByTestId('seats-remaining')).toHaveText('6');
  // Staff file a collection in Alpine Ski House (its name encrypted with Alpine's key).
  await admin.getByRole('link', { name: 'Manage Alpine Ski House' }).click();
  const alpineConsole = admin.getByRole('complementary', { name: 'Admin Console' });
  await alpineConsole.getByRole('link', { name: 'Collections' }).click();
  await admin.getByRole('button', { name: 'New collection' }).click();
  const liftPasses = admin.getByRole('dialog', { name: 'Collection' });
  await liftPasses.getByLabel('Collection name').fill('Lift passes');
  await liftPasses.getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByRole('row').filter({ hasText: 'Lift passes' })).toBeVisible();
  await alpineConsole.getByRole('link', { name: '← Litware MSP' }).click();
  // Unlink Alpine Ski House: its confirmed Owner runs it alone; it leaves the list.
  await admin.getByRole('button', { name: 'Options for Alpine Ski House' }).click();
  await admin.getByRole('menuitem', { name: 'Unlink' }).click();
  await admin.getByRole('dialog', { name: 'Unlink client' }).getByRole('button', { name: 'Unlink' }).click();
  await expect(admin.getByText('Alpine Ski House unlinked: its Owner runs it on their own now.')).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Alpine Ski House' })).toHaveCount(0);
  await expect(admin.getByTestId('seats-remaining')).toHaveText('8');
  await admin.screenshot({ path: 'test-results/clients-lifecycle.png', fullPage: true });

  // Its Owner, on their own now, sets up a provider of their own and adds
  // Alpine to it: their browser hands the organisation key over under the
  // new provider's key, and the provider's view opens the collection staff
  // filed before with it.
  const alpineCtx = await browser.newContext();
  const alpine = await alpineCtx.newPage();
  await logIn(alpine, owners['Alpine Ski House']);
  await expect(alpine).toHaveURL(/\/vault$/);
  await alpine.getByRole('navigation', { name: 'Product switcher' }).getByRole('link', { name: 'Provider Portal' }).click();
  await alpine.getByRole('link', { name: 'Set up a provider' }).click();
  await alpine.getByLabel('Provider name').fill('Alpine IT');
  await alpine.getByRole('button', { name: 'Set up provider' }).click();
  await expect(alpine.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible();
  const alpineNav = alpine.getByRole('complementary', { name: 'Provider' });
  await alpineNav.getByRole('link', { name: 'Subscription' }).click();
  await alpine.getByLabel('Total seats').fill('3');
  await alpine.getByRole('button', { name: 'Save seats' }).click();
  await expect(alpine.getByText('Seats saved.')).toBeVisible();
  await alpineNav.getByRole('link', { name: 'Clients' }).click();
  await alpine.getByRole('button', { name: 'Add existing organisation' }).click();
  const addExisting = alpine.getByRole('dialog', { name: 'Add existing organisation' });
  await expect(addExisting.getByRole('radio', { name: /Alpine Ski House/ })).toBeChecked();
  await expect(addExisting.getByLabel('Seats', { exact: true })).toHaveValue('2');
  await addExisting.getByLabel('Seats', { exact: true }).fill('4');
  await addExisting.getByRole('button', { name: 'Add organisation' }).click();
  await expect(addExisting.getByText("Only 3 of the provider's seats are unassigned; this needs 1 more.")).toBeVisible();
  await expectNoAxeViolations(alpine);
  await alpine.screenshot({ path: 'test-results/add-existing.png', fullPage: true });
  await addExisting.getByLabel('Seats', { exact: true }).fill('2');
  await addExisting.getByRole('button', { name: 'Add organisation' }).click();
  await expect(alpine.getByText('Alpine Ski House added: it is a client now, with 2 seats.')).toBeVisible();
  await expect(alpine.getByTestId('seats-remaining')).toHaveText('1');
  await alpine.getByRole('link', { name: 'Manage Alpine Ski House' }).click();
  await expect(alpine.getByText('Admin Console · Managed by your provider')).toBeVisible();
  await alpine.getByRole('complementary', { name: 'Admin Console' }).getByRole('link', { name: 'Collections' }).click();
  await expect(alpine.getByRole('row').filter({ hasText: 'Lift passes' })).toBeVisible();
  await alpineCtx.close();

  // A second provider: the switcher lists both and goes to either one's Clients list.
  await expect(admin.getByRole('button', { name: 'Switch provider or organisation' })).toHaveCount(0);
  await admin.getByRole('navigation', { name: 'Product switcher' }).getByRole('link', { name: 'Provider Portal' }).click();
  await admin.getByRole('link', { name: 'Set up a provider' }).click();
  await admin.getByLabel('Provider name').fill('Litware Labs');
  await admin.getByRole('button', { name: 'Set up provider' }).click();
  await expect(admin.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible(); // a new provider lands on its Clients list
  await admin.getByRole('button', { name: 'Switch provider or organisation' }).click();
  const tenants = admin.getByRole('menu', { name: 'Providers and organisations' });
  await expect(tenants.getByRole('menuitem')).toHaveText(['Litware MSP Provider', 'Litware Labs Provider']);
  await tenants.getByRole('menuitem', { name: 'Litware MSP Provider' }).click();
  await expect(admin.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: 'Coho Vineyard & Winery' })).toBeVisible();
  await adminCtx.close();
});
