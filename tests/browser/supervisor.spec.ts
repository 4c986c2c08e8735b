// The supervisor's day: dashboard (KPIs with their formula on hover, charts), the team, the portfolio with
// saved filters and its Excel export, distribution (round robin over two agents), an import with its
// column mapping shown first, progress and per-line errors.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { checkPage, fixture, login } from './support';

const f = fixture();

test('supervisor journey: dashboard, team, portfolio, distribution, imports', async ({ page }) => {
  await login(page, f.users.supervisor);
  await expect(page).toHaveURL(/\/console\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Tablero' })).toBeVisible();
  await page.locator('[aria-description^="recovered"]').hover();
  await expect(page.getByRole('tooltip')).toContainText('recovered ÷ placed');
  await expect(page.getByRole('img', { name: 'Antigüedad de saldos' }).locator('canvas')).toBeVisible();
  await checkPage(page, 'supervisor-dashboard');

  await page.getByRole('link', { name: 'Equipo' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Equipo' })).toBeVisible();
  await expect(page.getByTestId('team')).toContainText(f.users.queueAgent.agentId ?? '');
  await checkPage(page, 'supervisor-team');

  await page.getByRole('link', { name: 'Cartera' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Cartera' })).toBeVisible();
  await expect(page.getByTestId('portfolio').locator('tbody tr').first()).toBeVisible();
  await page.locator('input[name="assignedAgentId"]').fill(f.users.agent.agentId ?? '');
  await page.getByRole('button', { name: 'Buscar' }).click();
  await expect(page.getByTestId('portfolio').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('portfolio')).toContainText('Deudora 0 Ruiz');
  await page.getByLabel('Nombre del filtro').fill('De Ana');
  await page.getByRole('button', { name: 'Guardar filtro' }).click();
  await expect(page.getByRole('button', { name: 'De Ana' })).toBeVisible();
  const exportHref = await page.getByRole('link', { name: 'Exportar a Excel' }).getAttribute('href');
  expect(exportHref).toContain(`assignedAgentId=${encodeURIComponent(f.users.agent.agentId ?? '')}`);
  const xlsx = await page.request.get(exportHref ?? '');
  expect(xlsx.status()).toBe(200);
  expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
  // A filter the API refuses shows its message beside the field.
  await page.locator('input[name="minBalance"]').fill('mucho');
  await page.getByRole('button', { name: 'Buscar' }).click();
  await expect(page.locator('input[name="minBalance"]')).toHaveAttribute('aria-invalid', 'true');
  await page.locator('input[name="minBalance"]').fill('');
  await page.getByRole('button', { name: 'Buscar' }).click();
  await checkPage(page, 'supervisor-portfolio');

  await page.getByRole('link', { name: 'Distribución' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Distribución' })).toBeVisible();
  await page.getByRole('checkbox', { name: 'Deudora 2 Ruiz' }).check();
  await page.getByRole('checkbox', { name: 'Deudora 3 Ruiz' }).check();
  await page.getByLabel(/Asignar a/).fill(`${f.runId}-rr1, ${f.runId}-rr2`);
  await page.getByRole('button', { name: 'Asignar', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('2 cuentas asignadas.');
  const assigned = page.getByTestId('distribution').locator('tbody tr');
  await expect(assigned.filter({ hasText: 'Deudora 2 Ruiz' })).toContainText(`${f.runId}-rr`);
  await expect(assigned.filter({ hasText: 'Deudora 3 Ruiz' })).toContainText(`${f.runId}-rr`);
  await checkPage(page, 'supervisor-distribution');

  await page.getByRole('link', { name: 'Importaciones' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Importaciones' })).toBeVisible();
  const csv = path.join('test-results', `import-${f.runId}.csv`);
  writeFileSync(
    csv,
    [
      'Factura,Cliente,Titular,Tipo,Pais,Monto,Moneda,Vence',
      `${f.runId}-I1,${f.runId}-ID1,Imelda Importada,person,MX,500.00,MXN,2026-11-01`,
      `${f.runId}-I2,${f.runId}-ID2,Ignacio Importado,person,MX,no-es-monto,MXN,2026-11-01`,
    ].join('\n'),
  );
  await page.locator('input[type="file"]').setInputFiles(csv);
  const preview = page.getByTestId('mapping-preview');
  await expect(preview.locator('tbody tr')).toHaveCount(8);
  const map = { Factura: 'externalId', Cliente: 'debtor.externalId', Titular: 'debtor.name', Tipo: 'debtor.kind' };
  for (const [header, field] of Object.entries(map))
    await page.getByRole('combobox', { name: `Campo: ${header}` }).selectOption(field);
  await checkPage(page, 'supervisor-imports');
  await page.getByRole('button', { name: 'Importar' }).click();
  await expect(page.getByTestId('import-status')).toHaveText(/completed|failed/, { timeout: 60_000 });
  await expect(page.getByTestId('import-errors')).toContainText('amount');
  await expect(page.getByTestId('import-job')).toContainText('✓ 1');
});
