// The admin's day: users (create one, disable it), API keys (shown once, revoked), WhatsApp numbers with
// their connection state.
import { expect, test } from '@playwright/test';
import { checkPage, fixture, login } from './support';

const f = fixture();

test('admin journey: users, API keys, WhatsApp numbers', async ({ page }) => {
  await login(page, f.users.admin);
  await expect(page).toHaveURL(/\/console\/admin\/users$/);
  await expect(page.getByTestId('users')).toContainText(f.users.agent.email);

  const form = page.getByRole('form', { name: 'Nuevo usuario' });
  const email = `nuevo-${f.runId}@e2e.test`;
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="name"]').fill('Nuevo Agente');
  await form.locator('input[name="agentId"]').fill(`${f.runId}-nuevo`);
  // Too short: the API's message beside the password.
  await form.locator('input[name="password"]').fill('corta');
  await form.getByRole('button', { name: 'Nuevo usuario' }).click();
  await expect(form.locator('input[name="password"]')).toHaveAttribute('data-invalid', 'true');
  await expect(form).toContainText('12 characters');
  await form.locator('input[name="password"]').fill(`clave-larga-${f.runId}`);
  await form.getByRole('button', { name: 'Nuevo usuario' }).click();
  await expect(page.getByTestId('users')).toContainText(email);
  await page.getByRole('button', { name: `Deshabilitar ${email}` }).click();
  await expect(page.getByRole('button', { name: `Habilitar ${email}` })).toBeVisible();
  await checkPage(page, 'admin-users');

  await page.getByRole('link', { name: 'Claves de API' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Claves de API' })).toBeVisible();
  const keyName = `${f.runId}-erp`;
  await page.locator('input[name="name"]').fill(keyName);
  await page.getByRole('button', { name: 'Nueva clave' }).click();
  await expect(page.getByTestId('new-key')).toHaveText(/.{20,}/);
  await expect(page.getByTestId('api-keys')).toContainText(keyName);
  await checkPage(page, 'admin-api-keys');
  await page.getByRole('button', { name: `Revocar ${keyName}` }).click();
  await expect(page.getByTestId('api-keys')).not.toContainText(keyName);

  await page.getByRole('link', { name: 'Números de WhatsApp' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Números de WhatsApp' })).toBeVisible();
  await page.locator('input[name="id"]').fill(`wa-${f.runId.slice(-8)}`);
  await page.getByRole('button', { name: 'Agregar número' }).click();
  await expect(page.getByTestId(`whatsapp-wa-${f.runId.slice(-8)}`).getByTestId('wa-status')).not.toHaveText('…');
  await checkPage(page, 'admin-whatsapp');
});
