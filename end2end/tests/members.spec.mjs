import { test, expect, createAccount, logIn, hydrated, expectNoAxeViolations, uniqueEmail, waitForMail } from './helpers.mjs';

test('invite → accept → confirm with the fingerprint phrase, live updates, removal', async ({ browser, pageErrors }) => {
  const adminEmail = uniqueEmail('admin');
  const inviteeEmail = uniqueEmail('tech');

  // The admin sets up a provider and opens Manage → Members.
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  await createAccount(admin, { email: adminEmail, name: 'Grace Admin' });
  await expect(admin).toHaveURL(/\/vault$/);
  await admin.goto('/providers/setup');
  await hydrated(admin);
  await expect(admin.getByRole('heading', { name: 'Your vault is locked' })).toBeVisible();
  await admin.getByLabel('Master password').fill('correct horse battery staple 42');
  await admin.getByRole('button', { name: 'Unlock' }).click();
  await admin.getByLabel('Provider name').fill('Northwind MSP');
  await admin.getByRole('button', { name: 'Set up provider' }).click();
  await expect(admin.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible(); // a new provider lands on its Clients list
  await admin.getByRole('complementary', { name: 'Provider' }).getByRole('link', { name: 'Members' }).click();
  await expect(admin.getByRole('heading', { name: 'Members', exact: true })).toBeVisible();
  await expect(admin.getByText('This provider has a single Provider admin')).toBeVisible();
  await expectNoAxeViolations(admin);

  // Invite three addresses: one valid, one invalid, one already a member.
  await admin.getByRole('button', { name: 'Invite member' }).click();
  const invite = admin.getByRole('dialog', { name: 'Invite member' });
  await invite.getByLabel('Email').fill(`${inviteeEmail.toUpperCase()}, not-an-address , ${adminEmail}`);
  await expect(invite.getByRole('radio', { name: 'Service user' })).toBeChecked();
  await expectNoAxeViolations(admin);
  await invite.getByRole('button', { name: 'Save' }).click();
  const results = invite.getByRole('list', { name: 'Invitation results' });
  await expect(results.getByText(`${inviteeEmail} — invited`)).toBeVisible();
  await expect(results.getByText('not-an-address — invalid: An email address needs exactly one @.')).toBeVisible();
  await expect(results.getByText(`${adminEmail} — already a member (skipped)`)).toBeVisible();
  await invite.getByRole('button', { name: 'Close', exact: true }).click();
  const inviteeRow = admin.getByRole('row').filter({ hasText: inviteeEmail });
  await expect(inviteeRow.getByText('Invited', { exact: true })).toBeVisible();

  // A second admin context watches the Members table.
  const watchCtx = await browser.newContext();
  const watch = await watchCtx.newPage();
  await logIn(watch, adminEmail);
  await expect(watch).toHaveURL(/\/vault$/);
  await watch.getByRole('navigation', { name: 'Product switcher' }).getByRole('link', { name: 'Provider Portal' }).click();
  await watch.getByRole('link', { name: 'Northwind MSP' }).click();
  await watch.getByRole('complementary', { name: 'Provider' }).getByRole('link', { name: 'Members' }).click();
  const watchedRow = watch.getByRole('row').filter({ hasText: inviteeEmail });
  await expect(watchedRow.getByText('Invited', { exact: true })).toBeVisible();

  // The invitee reads the mail from the SMTP sink and follows the link.
  const mail = await waitForMail(inviteeEmail, 'Join Northwind MSP');
  const link = mail.text.match(/https?:\/\/\S+\/accept-invite\?token=[A-Za-z0-9_-]+/)[0];
  const inviteeCtx = await browser.newContext();
  const invitee = await inviteeCtx.newPage();
  await invitee.goto(link);
  await hydrated(invitee);
  await expect(invitee.getByRole('heading', { name: 'Join Northwind MSP' })).toBeVisible();
  await expectNoAxeViolations(invitee);
  await invitee.getByRole('link', { name: 'Create account' }).click();
  await expect(invitee.getByLabel('Email address')).toHaveValue(inviteeEmail);
  await invitee.getByLabel('Name', { exact: true }).fill('Tom Technician');
  await invitee.getByLabel('Master password', { exact: true }).fill('another long master password 7');
  await invitee.getByLabel('Confirm master password').fill('another long master password 7');
  await invitee.getByRole('button', { name: 'Create account' }).click();
  await expect(invitee.getByRole('heading', { name: 'Join Northwind MSP' })).toBeVisible();
  await invitee.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(invitee.getByText('You can open this provider once a Provider admin confirms you.')).toBeVisible();

  // The watching admin sees it live, without a reload.
  await expect(watchedRow.getByText('Needs confirmation', { exact: true })).toBeVisible();

  // The invitee's own phrase, from Settings → My account.
  await invitee.getByRole('button', { name: 'Account menu' }).click();
  await invitee.getByRole('menuitem', { name: 'My account' }).click();
  const phrase = (await invitee.getByTestId('fingerprint-phrase').textContent()).trim();

  // The admin selects the accepted member and confirms after comparing phrases.
  await expect(inviteeRow.getByText('Needs confirmation', { exact: true })).toBeVisible();
  await admin.getByRole('tab', { name: /Needs confirmation/ }).click();
  await expect(admin).toHaveURL(/tab=needs-confirmation/);
  await admin.getByRole('checkbox', { name: `Select ${inviteeEmail}` }).check();
  await expect(admin.getByText('1 selected')).toBeVisible();
  await admin.getByRole('button', { name: 'Bulk actions' }).click();
  await expect(admin.getByRole('menuitem', { name: 'Resend invitations' })).toBeDisabled();
  // A server that hands over another public key (keeping the member's real
  // phrase in its answer) is caught: the dialog shows the phrase of the key
  // the provider key would be sealed to, computed in the admin's browser.
  const forged = Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), Buffer.alloc(32, 7)]).toString('base64');
  let served = null;
  await admin.route('**/api/members/confirm-candidates', async (route) => {
    const res = await route.fetch();
    served = await res.json();
    await route.fulfill({ response: res, json: served.map((c) => ({ ...c, public_key: forged })) });
  });
  await admin.getByRole('menuitem', { name: 'Confirm selected' }).click();
  const confirm = admin.getByRole('dialog', { name: 'Confirm members' });
  const shown = confirm.getByLabel(`Fingerprint phrase of ${inviteeEmail}`);
  await expect(shown).toHaveText(/^[a-z]+(-[a-z]+){4,9}$/);
  expect(served[0].fingerprint).toBe(phrase);
  await expect(shown).not.toHaveText(phrase);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await admin.unroute('**/api/members/confirm-candidates');

  await admin.getByRole('button', { name: 'Bulk actions' }).click();
  await admin.getByRole('menuitem', { name: 'Confirm selected' }).click();
  await expect(shown).toHaveText(phrase);
  await expectNoAxeViolations(admin);
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  const done = admin.getByRole('dialog', { name: 'Results' });
  await expect(done.getByText(`${inviteeEmail} — done`)).toBeVisible();
  await done.getByRole('button', { name: 'Close', exact: true }).click();
  await admin.getByRole('tab', { name: /All/ }).click();
  await expect(inviteeRow.getByText('Confirmed', { exact: true })).toBeVisible();
  await expect(admin.getByText('1 selected')).toHaveCount(0);

  // The page keeps working after a confirm (any page error fails the test):
  // a second invitation from the same page …
  const secondEmail = uniqueEmail('second');
  await admin.getByRole('button', { name: 'Invite member' }).click();
  await invite.getByLabel('Email').fill(secondEmail);
  await invite.getByRole('button', { name: 'Save' }).click();
  await expect(results.getByText(`${secondEmail} — invited`)).toBeVisible();
  await invite.getByRole('button', { name: 'Close', exact: true }).click();
  // … accepted, and confirmed from its row's menu …
  const secondCtx = await browser.newContext();
  const second = await secondCtx.newPage();
  const secondLink = (await waitForMail(secondEmail, 'Join Northwind MSP')).text.match(/\/accept-invite\?token=[A-Za-z0-9_-]+/)[0];
  await createAccount(second, { email: secondEmail, name: 'Sam Second', next: secondLink });
  await second.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(second.getByText('You can open this provider once a Provider admin confirms you.')).toBeVisible();
  const secondRow = admin.getByRole('row').filter({ hasText: secondEmail });
  await expect(secondRow.getByText('Needs confirmation', { exact: true })).toBeVisible();
  await admin.getByRole('button', { name: `Options for ${secondEmail}` }).click();
  await admin.getByRole('menuitem', { name: 'Confirm', exact: true }).click();
  await expect(confirm.getByLabel(`Fingerprint phrase of ${secondEmail}`)).toBeVisible();
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await expect(done.getByText(`${secondEmail} — done`)).toBeVisible();
  await done.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(secondRow.getByText('Confirmed', { exact: true })).toBeVisible();
  // … and the next change saves from the same page.
  await admin.getByRole('button', { name: `Options for ${secondEmail}` }).click();
  await admin.getByRole('menuitem', { name: 'Change user type' }).click();
  const typeDialog = admin.getByRole('dialog', { name: 'Change user type' });
  await expect(typeDialog.getByRole('radio', { name: 'Service user' })).toBeChecked();
  await expect(typeDialog.getByRole('alert').filter({ hasText: 'your own role' })).toHaveCount(0);
  await typeDialog.getByRole('radio', { name: 'Provider admin' }).check();
  await typeDialog.getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByText('User type changed to Provider admin.')).toBeVisible();
  // Changing one's own user type warns first (and Cancel changes nothing).
  await admin.getByRole('button', { name: `Options for ${adminEmail}` }).click();
  await admin.getByRole('menuitem', { name: 'Change user type' }).click();
  await typeDialog.getByRole('radio', { name: 'Service user' }).check();
  await expect(typeDialog.getByText('You are changing your own role')).toBeVisible();
  await typeDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(admin.getByRole('row').filter({ hasText: adminEmail }).getByRole('cell', { name: 'Provider admin', exact: true })).toBeVisible();
  await expect(secondRow.getByRole('cell', { name: 'Provider admin', exact: true })).toBeVisible();
  await admin.screenshot({ path: 'test-results/members-after-confirm.png', fullPage: true });
  await secondCtx.close();

  // The invitee now opens the Provider Portal and unwraps the provider key.
  await invitee.getByRole('navigation', { name: 'Product switcher' }).getByRole('link', { name: 'Provider Portal' }).click();
  await invitee.getByRole('link', { name: 'Northwind MSP' }).click();
  await expect(invitee.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible(); // a confirmed member lands on the Clients list
  await invitee.getByRole('complementary', { name: 'Provider' }).getByRole('link', { name: 'Overview' }).click();
  await expect(invitee.getByTestId('provider-key-state')).toHaveText('Provider key unlocked in this browser.');

  // The admin removes them; their next request is refused.
  await admin.getByRole('button', { name: `Options for ${inviteeEmail}` }).click();
  await admin.getByRole('menuitem', { name: 'Remove' }).click();
  const sure = admin.getByRole('dialog', { name: 'Are you sure?' });
  await expect(sure.getByText('Remove 1 member(s)? They lose access to Northwind MSP at once.')).toBeVisible();
  await sure.getByRole('button', { name: 'Remove' }).click();
  await expect(admin.getByRole('dialog', { name: 'Results' }).getByText(`${inviteeEmail} — done`)).toBeVisible();
  await invitee.getByRole('navigation', { name: 'Product switcher' }).getByRole('link', { name: 'Password Manager' }).click();
  await invitee.getByRole('navigation', { name: 'Product switcher' }).getByRole('link', { name: 'Provider Portal' }).click();
  await expect(invitee.getByText('You are not a member of any provider yet')).toBeVisible();
  pageErrors.allow(/status of 403/); // the removed member's own request, refused on purpose
  const refused = await invitee.evaluate(async (provider) => (await fetch('/api/members/list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider_id: provider }) })).status, admin.url().split('/')[4]);
  expect(refused).toBe(403);
  await expect(invitee.getByText('Removed from', { exact: false })).toHaveCount(0);
  await Promise.all([adminCtx.close(), watchCtx.close(), inviteeCtx.close()]);
});
