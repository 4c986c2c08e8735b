// The supervisor's day: dashboard (KPIs with their formula on hover, charts), the team (GET /v1/team), the
// portfolio with saved filters (the API's, per person) and its Excel export, distribution (pause and resume; a
// rule of POST /v1/assignments previewed, applied, and seen in the team's queue sizes), an import with its
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
  // GET /v1/team: the seeded queue agent, under their name, with their 500 seeded open tasks (and their account's
  // own strategy task when the workflow made it after the account was theirs).
  const queueAgentId = f.users.queueAgent.agentId ?? '';
  const team = (await (await page.request.get('/v1/team')).json()) as {
    agents: { agentId: string; queueSize: number }[];
  };
  const queueSize = team.agents.find((a) => a.agentId === queueAgentId)?.queueSize ?? 0;
  expect(queueSize).toBeGreaterThanOrEqual(f.queueTasks);
  const queueAgent = page.getByTestId(`team-${queueAgentId}`);
  await expect(queueAgent).toContainText('Quino Cola');
  await expect(queueAgent.getByTestId('queue-size')).toHaveText(String(queueSize));
  await expect(page.getByTestId('team-period')).toContainText('Hoy: ');
  await checkPage(page, 'supervisor-team');

  await page.getByRole('link', { name: 'Cartera' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Cartera' })).toBeVisible();
  const portfolio = page.getByTestId('portfolio').locator('tbody tr');
  await expect(portfolio.first()).toBeVisible();
  const agentId = f.users.agent.agentId ?? '';
  await page.locator('input[name="assignedAgentId"]').fill(agentId);
  await page.getByRole('button', { name: 'Buscar' }).click();
  await expect(portfolio).toHaveCount(1);
  await expect(page.getByTestId('portfolio')).toContainText('Deudora 0 Ruiz');
  // A blank name is the API's to refuse: its message beside the name.
  await page.getByRole('button', { name: 'Guardar filtro' }).click();
  await expect(page.getByLabel('Nombre del filtro')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Nombre del filtro').fill('De Ana');
  await page.getByRole('button', { name: 'Guardar filtro' }).click();
  await expect(page.getByRole('status')).toHaveText('Filtro guardado.');
  const apply = page.getByRole('button', { name: 'Aplicar filtro De Ana' });
  await expect(apply).toHaveText('De Ana');
  const exportHref = await page.getByRole('link', { name: 'Exportar a Excel' }).getAttribute('href');
  expect(exportHref).toContain(`assignedAgentId=${encodeURIComponent(agentId)}`);
  const xlsx = await page.request.get(exportHref ?? '');
  expect(xlsx.status()).toBe(200);
  expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
  // A filter the API refuses shows its message beside the field.
  await page.locator('input[name="minBalance"]').fill('mucho');
  await page.getByRole('button', { name: 'Buscar' }).click();
  await expect(page.locator('input[name="minBalance"]')).toHaveAttribute('aria-invalid', 'true');
  // The saved filter is the API's (not this browser's): there after a reload on the unfiltered list, and applied.
  await page.goto('/console/portfolio');
  await expect(portfolio.nth(1)).toBeVisible();
  await apply.click();
  await expect(portfolio).toHaveCount(1);
  await expect(page.locator('input[name="assignedAgentId"]')).toHaveValue(agentId);
  await expect(page.getByTestId('portfolio')).toContainText('Deudora 0 Ruiz');
  expect(await page.evaluate("localStorage.getItem('console.savedFilters')")).toBeNull();
  await checkPage(page, 'supervisor-portfolio');
  await page.getByRole('button', { name: 'Borrar filtro De Ana' }).click();
  await expect(page.getByRole('status')).toHaveText('Filtro «De Ana» borrado.');
  await expect(apply).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('saved-filters')).toContainText('Ninguno todavía.');
  await expect(apply).toHaveCount(0);

  await page.getByRole('link', { name: 'Distribución' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Distribución' })).toBeVisible();
  // Pause and resume one ticked account (its workflow takes the signal; the read model follows).
  const paused = f.portfolioAccountIds[3] ?? '';
  const statusOf = async () =>
    ((await (await page.request.get(`/v1/accounts/${paused}`)).json()) as { status: string }).status;
  await page.getByRole('checkbox', { name: 'Deudora 5 Ruiz' }).check();
  await page.getByLabel('Motivo').fill('Aclaración con el cliente');
  await page.getByRole('button', { name: 'Pausar' }).click();
  await expect(page.getByRole('status')).toHaveText('1 cuentas pausadas.');
  await expect.poll(statusOf, { timeout: 30_000 }).toBe('paused');
  await page.getByRole('button', { name: 'Reanudar' }).click();
  await expect(page.getByRole('status')).toHaveText('1 cuentas reanudadas.');
  await expect.poll(statusOf, { timeout: 30_000 }).toBe('active');

  // By filters: the open MXN accounts of 820.00 to 830.00 (Deudora 2 and 3, which nobody holds), round robin.
  await page.locator('input[name="currency"]').fill('MXN');
  await page.locator('input[name="minBalance"]').fill('820.00');
  await page.locator('input[name="maxBalance"]').fill('830.00');
  await page.getByRole('button', { name: 'Buscar' }).click();
  const rows = page.getByTestId('distribution').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole('radio', { name: 'Todas las abiertas que cumplen los filtros' })).toBeChecked();
  const [rr1, rr2] = [`${f.runId}-rr1`, `${f.runId}-rr2`];
  await page.locator('input[name="agents"]').fill(`${rr1}, ${rr2}`);
  // By capacity without a capacity for one agent: the API's message beside that agent's capacity.
  await page.getByLabel('Regla').selectOption('capacity');
  await page.getByLabel(`Capacidad de ${rr2}`).fill('5');
  await page.getByRole('button', { name: 'Vista previa' }).click();
  await expect(page.getByLabel(`Capacidad de ${rr1}`)).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('is missing for this agent')).toBeVisible();
  // By segment (the debtor's country), previewed: both MX accounts would go to rr1.
  const summary = page.getByTestId('assignment-summary');
  const shares = page.getByTestId('assignment-agents').locator('tbody tr');
  await page.getByLabel('Regla').selectOption('segment');
  await page.getByLabel('Segmento según').selectOption('country');
  await page.getByLabel('Valor del segmento 1').fill('MX');
  await page.getByLabel('Agentes del segmento 1').fill(rr1);
  await page.getByRole('button', { name: 'Vista previa' }).click();
  await expect(summary).toHaveText('2 cuentas seleccionadas: se moverían 2, 0 ya están donde deben.');
  await expect(shares).toHaveText([`${rr1}22`]);
  // Round robin over both: one each.
  await page.getByLabel('Regla').selectOption('round_robin');
  await page.getByRole('button', { name: 'Vista previa' }).click();
  await expect(summary).toHaveText('2 cuentas seleccionadas: se moverían 2, 0 ya están donde deben.');
  await expect(shares).toHaveText([`${rr1}11`, `${rr2}11`]);
  await expect(rows.getByTestId('assigned')).toHaveText(['—', '—']);
  await checkPage(page, 'supervisor-distribution');
  await page.getByRole('button', { name: 'Asignar', exact: true }).click();
  await expect(summary).toHaveText('2 cuentas seleccionadas: 2 movidas, 0 ya estaban donde deben.');
  await expect(page.getByTestId('assignment-result')).toContainText('Asignación aplicada');
  // Dealt in account id order: one each, whichever way round.
  await expect(rows.getByTestId('assigned')).toHaveText([/-rr[12]$/, /-rr[12]$/]);
  expect((await rows.getByTestId('assigned').allTextContents()).sort()).toEqual([rr1, rr2]);
  // The same rule again moves nothing: each already holds their share.
  await page.getByRole('button', { name: 'Vista previa' }).click();
  await expect(summary).toHaveText('2 cuentas seleccionadas: se moverían 0, 2 ya están donde deben.');

  // Rebalance: every account Quino holds goes to a colleague, and his open tasks with it; the team's queue sizes
  // say so.
  const distribute = async (filter: string, agents: string) => {
    await page.getByRole('link', { name: 'Distribución' }).click();
    await page.locator('input[name="assignedAgentId"]').fill(filter);
    await page.getByRole('button', { name: 'Buscar' }).click();
    await expect(rows).toHaveCount(1);
    await page.locator('input[name="agents"]').fill(agents);
    await page.getByRole('button', { name: 'Asignar', exact: true }).click();
    await expect(summary).toHaveText('1 cuentas seleccionadas: 1 movidas, 0 ya estaban donde deben.');
    await expect(page.getByTestId('assignment-agents').locator('tbody tr')).toHaveText([`${agents}11`]);
    await page.getByRole('link', { name: 'Equipo' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Equipo' })).toBeVisible();
  };
  const queueOf = (agent: string) => page.getByTestId(`team-${agent}`).getByTestId('queue-size');
  const relief = `${f.runId}-relief`;
  await distribute(queueAgentId, relief);
  await expect(queueOf(relief)).toHaveText(String(queueSize));
  await expect(queueOf(queueAgentId)).toHaveText('0');
  await checkPage(page, 'supervisor-team-rebalanced');
  // And back to him.
  await distribute(relief, queueAgentId);
  await expect(queueOf(queueAgentId)).toHaveText(String(queueSize));
  await expect(page.getByTestId(`team-${relief}`)).toHaveCount(0);

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
