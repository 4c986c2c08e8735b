// The strategist's day: the strategies list, the editor (form and code views, live validation with the
// error at its path), the journey preview, save draft, publish, the diff of two versions, rollout.
import { expect, test } from '@playwright/test';
import { checkPage, fixture, login } from './support';

const f = fixture();

test('strategist journey: edit, validate, publish, diff, roll out', async ({ page }) => {
  await login(page, f.users.strategist);
  await expect(page).toHaveURL(/\/console\/strategies$/);
  await expect(page.getByTestId('strategies')).toContainText(f.strategyId);
  await checkPage(page, 'strategist-strategies');

  await page.getByRole('link', { name: f.strategyId }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(f.strategyId);
  await expect(page.getByTestId('journey').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('validation')).toContainText('Definición válida');

  // A value the schema refuses: the API's message, at its path.
  const minPercent = page.getByLabel('promise.minPercent');
  await minPercent.fill('150');
  await expect(page.getByTestId('validation')).toContainText('promise.minPercent');
  await expect(minPercent).toHaveAttribute('aria-invalid', 'true');
  await minPercent.fill('45');
  await expect(page.getByTestId('validation')).toContainText('Definición válida');
  await page.getByLabel('Nombre', { exact: true }).fill('Estrategia E2E editada');

  // The code view shows the same definition (CodeMirror, loaded on demand).
  await page.getByRole('tab', { name: 'Código' }).click();
  await expect(page.locator('.cm-content')).toContainText('"name": "Estrategia E2E editada"');
  await checkPage(page, 'strategist-editor');

  await page.getByRole('button', { name: 'Guardar borrador' }).click();
  await expect(page.getByRole('status')).toContainText('Borrador');
  await page.getByRole('button', { name: 'Publicar' }).click();
  await expect(page.getByRole('status')).toContainText('Publicada: v2');

  await page.reload();
  await page.getByLabel('Desde').selectOption('1');
  await page.getByLabel('Hasta').selectOption('2');
  await expect(page.getByTestId('diff')).toContainText('promise.minPercent');
  await page.getByLabel('Versión').selectOption('2');
  await page.getByRole('button', { name: 'Despliegue' }).click();
  await expect(page.getByRole('status')).toContainText('cuentas en curso');
});
