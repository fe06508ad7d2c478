import { test, expect, createAccount, hydrated, uniqueEmail, PASSWORD } from './helpers.mjs';

test('the Members page works by keyboard alone: dialogs trap and return focus, menus close on Escape', async ({ page }) => {
  await createAccount(page, { email: uniqueEmail('keys'), name: 'Kay Board' });
  await expect(page).toHaveURL(/\/vault$/);
  await page.getByRole('navigation', { name: 'Product switcher' }).getByRole('link', { name: 'Provider Portal' }).click();
  await page.getByRole('link', { name: 'Set up a provider' }).click();
  await page.getByLabel('Provider name').fill('Keyboard MSP');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible(); // a new provider lands on its Clients list
  await page.getByRole('complementary', { name: 'Provider' }).getByRole('link', { name: 'Members' }).click();

  const inviteButton = page.getByRole('button', { name: 'Invite member' });
  await inviteButton.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Invite member' });
  await expect(dialog).toBeVisible();
  // Focus stays inside the dialog however far one tabs.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await dialog.getByLabel('Email').focus();
  await page.keyboard.type('kb-one@example.com, kb-two@example.com');
  await page.keyboard.press('Tab'); // → Service user (radio group)
  await page.keyboard.press('ArrowRight'); // → Provider admin
  await expect(dialog.getByRole('radio', { name: 'Provider admin' })).toBeChecked();
  await dialog.getByRole('button', { name: 'Save' }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog.getByText('kb-two@example.com — invited')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(inviteButton).toBeFocused();
  await expect(page.getByRole('row').filter({ hasText: 'kb-one@example.com' }).getByText('Provider admin')).toBeVisible();

  // Both at once: Bulk actions → Change user type, one transaction, a result per member.
  await page.getByRole('checkbox', { name: 'Select kb-one@example.com' }).check();
  await page.getByRole('checkbox', { name: 'Select kb-two@example.com' }).check();
  await page.getByRole('button', { name: 'Bulk actions' }).click();
  await page.getByRole('menuitem', { name: 'Change user type' }).click();
  const types = page.getByRole('dialog', { name: 'Change user type' });
  await expect(types.getByText('User type of 2 members')).toBeVisible();
  await types.getByLabel('Service user').check();
  await types.getByRole('button', { name: 'Save' }).click();
  const changed = page.getByRole('dialog', { name: 'Results' });
  await expect(changed.getByText('kb-one@example.com — done')).toBeVisible();
  await expect(changed.getByText('kb-two@example.com — done')).toBeVisible();
  await changed.getByRole('button', { name: 'Close', exact: true }).click();
  for (const who of ['kb-one@example.com', 'kb-two@example.com']) {
    await expect(page.getByRole('row').filter({ hasText: who }).getByText('Service user')).toBeVisible();
  }
  await expect(page.getByText(/^\d+ selected$/)).toHaveCount(0);

  // Select with the keyboard, open the bulk menu, close it with Escape.
  await page.getByRole('checkbox', { name: 'Select kb-one@example.com' }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByText('1 selected')).toBeVisible();
  const bulk = page.getByRole('button', { name: 'Bulk actions' });
  await bulk.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Resend invitations' })).toBeEnabled();
  await expect(page.getByRole('menuitem', { name: 'Confirm selected' })).toBeDisabled();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toBeHidden();

  // Remove by keyboard through the confirm dialog, which names whom.
  await bulk.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menuitem', { name: 'Remove' }).focus();
  await page.keyboard.press('Enter');
  const sure = page.getByRole('dialog', { name: 'Are you sure?' });
  await expect(sure.getByText('kb-one@example.com')).toBeVisible();
  await sure.getByRole('button', { name: 'Remove' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Results' }).getByText('kb-one@example.com — done')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('row').filter({ hasText: 'kb-one@example.com' })).toHaveCount(0);
});
