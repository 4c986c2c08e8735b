// The strategist's day: the strategies list; the editor (form and code views, live validation with the error at
// its path); beside it the sample debtor's simulated journey, redrawn as they type, and the step's templates in
// Spanish and English; the draft's portfolio KPIs against the published version; save draft, publish, the diff
// of two versions, and a rollout that dry-runs first (how many running accounts would move) and then moves them.
import { expect, test } from '@playwright/test';
import { checkPage, fixture, login } from './support';

const f = fixture();

test('strategist journey: edit with live previews, compare portfolios, publish, diff, dry-run and roll out', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await login(page, f.users.strategist);
  await expect(page).toHaveURL(/\/console\/strategies$/);
  await expect(page.getByTestId('strategies')).toContainText(f.strategyId);
  await checkPage(page, 'strategist-strategies');

  await page.getByRole('link', { name: f.strategyId }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(f.strategyId);
  await expect(page.getByTestId('validation')).toContainText('Definición válida');

  // The sample debtor's journey, simulated by the API under the draft: stages, messages, a deferral with its
  // rule, the promise and how it ended.
  const journey = page.getByTestId('journey');
  await expect(journey).toContainText('Entra en la etapa early (por calendario)');
  await expect(journey).toContainText('Mensaje por whatsapp: plantilla overdue');
  await expect(journey).toContainText('Aplazado (whatsapp) por la regla outside_window, hasta 2026-03-09 07:00');
  await expect(journey).toContainText('Promesa aceptada: 1,500.00 MXN para el 2026-03-23');
  await expect(journey).toContainText('Promesa incumplida: pagó 500.00 MXN de 1,500.00 MXN');

  // Typing a stage's new id, key by key: the journey redraws with the last text only.
  const stage = page.getByLabel('Etapa 2', { exact: true });
  await stage.fill('');
  await stage.pressSequentially('temprana', { delay: 40 });
  await expect(journey).toContainText('Entra en la etapa temprana (por calendario)');
  await expect(journey).not.toContainText('etapa early');
  await expect(journey).toContainText('Etapa: temprana');

  // The selected step's template, rendered with the sample data in both languages.
  await page.getByLabel('Paso', { exact: true }).selectOption({ label: 'temprana · 1 · whatsapp · overdue' });
  await expect(page.getByTestId('template-es')).toContainText('Hola Ana Pérez, tu saldo es $1,500.00');
  await expect(page.getByTestId('template-en')).toContainText('Hi Ana Pérez, your balance is MX$1,500.00');
  await expect(page.getByTestId('template-es')).toContainText('Asunto: Tu pago está vencido');
  await expect(page.getByTestId('template-en')).toContainText('Asunto: Your payment is overdue');

  // A value the schema refuses: the API's message at its path, in the editor and in place of the preview.
  const minPercent = page.getByLabel('promise.minPercent');
  await minPercent.fill('150');
  await expect(page.getByTestId('validation')).toContainText('promise.minPercent');
  await expect(minPercent).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('simulation-errors')).toContainText('promise.minPercent');
  await expect(journey).toHaveCount(0);
  await minPercent.fill('45');
  await expect(page.getByTestId('validation')).toContainText('Definición válida');
  await expect(journey).toContainText('Entra en la etapa temprana');
  await page.getByLabel('Nombre', { exact: true }).fill('Estrategia E2E editada');

  // The draft against the published version over one generated portfolio: the API's figures side by side.
  await page.getByLabel('Cuentas de muestra').fill('40');
  await page.getByRole('button', { name: 'Comparar con la publicada' }).click();
  const portfolio = page.getByTestId('portfolio-simulation');
  await expect(portfolio).toContainText('Cartera: 40 cuentas (semilla 1)', { timeout: 60_000 });
  const kpis = page.getByTestId('portfolio-kpis-MXN');
  await expect(kpis.getByRole('columnheader', { name: 'Publicada v1' })).toBeVisible();
  for (const kpi of ['recoveryRate', 'keptRate']) {
    const cells = kpis.locator(`[data-kpi="${kpi}"] td`);
    await expect(cells.nth(0)).toHaveText(/^\d+(\.\d)?\s?%$/);
    await expect(cells.nth(1)).toHaveText(/^\d+(\.\d)?\s?%$/);
    await expect(cells.nth(2)).toHaveText(/^[+−]\d+\.\d pp$/);
  }
  await expect(kpis.locator('[data-kpi="attempts"] td').nth(0)).toHaveText(/^[1-9]\d*$/);
  await expect(kpis.locator('[data-kpi="collected"] td').nth(1)).toHaveText(/^[\d,]+\.\d{2} MXN$/);
  await checkPage(page, 'strategist-editor');

  // The code view shows the same definition (CodeMirror, loaded on demand).
  await page.getByRole('tab', { name: 'Código' }).click();
  await expect(page.locator('.cm-content')).toContainText('"name": "Estrategia E2E editada"');
  await expect(page.locator('.cm-content')).toContainText('"id": "temprana"');

  await page.getByRole('button', { name: 'Guardar borrador' }).click();
  await expect(page.getByRole('status')).toContainText('Borrador');
  await page.getByRole('button', { name: 'Publicar' }).click();
  await expect(page.getByRole('status')).toContainText('Publicada: v2');

  await page.reload();
  await page.getByLabel('Desde').selectOption('1');
  await page.getByLabel('Hasta').selectOption('2');
  await expect(page.getByTestId('diff')).toContainText('promise.minPercent');

  // Rollout: the dry run first, with the API's count of running accounts that would move; then the move.
  const rollout = page.getByTestId('rollout');
  const confirm = page.getByRole('button', { name: 'Confirmar despliegue' });
  await page.getByLabel('Versión').selectOption('2');
  await expect(rollout).toContainText('Primero simula el despliegue');
  await expect(confirm).toBeDisabled();
  await page.getByRole('button', { name: 'Simular despliegue' }).click();
  await expect(rollout).toContainText(`${f.strategyAccounts} cuentas en curso se moverían`);
  await checkPage(page, 'strategist-rollout');
  await confirm.click();
  await expect(rollout).toContainText(`${f.strategyAccounts} cuentas en curso pasan a la v2`);
});
