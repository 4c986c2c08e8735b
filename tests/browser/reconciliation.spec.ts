// Bank reconciliation: a supervisor uploads a bank CSV whose one deposit names a debtor but scores below the
// automatic threshold (a name, not a reference), finds the line in the queue with that debtor suggested,
// applies it in one click, and the debtor's account balance drops by the deposit.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { expect, test } from '@playwright/test';
import { checkPage, fixture, login } from './support';

const f = fixture();

test('supervisor reconciles a statement line the matcher queued', async ({ page }) => {
  const accountId = f.portfolioAccountIds[f.portfolioAccountIds.length - 1] ?? '';
  await login(page, f.users.supervisor);
  const before = (await (await page.request.get(`/v1/accounts/${accountId}`)).json()) as {
    balance: { amount: string; currency: string };
  };
  const debtorName = 'Deudora 7 Ruiz';
  const remittance = `ABONO ${f.runId.slice(0, 8).toUpperCase()}`;
  const day = DateTime.now().setZone('America/Mexico_City').toFormat('dd/MM/yyyy');
  const dir = path.join('test-results', 'statements');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `recon-${f.runId}.csv`);
  writeFileSync(
    file,
    [
      'Fecha;Concepto;Clave de rastreo;Ordenante;Importe',
      `${day};${remittance};RASTREO${Date.now()};${debtorName};150.00`,
    ]
      .join('\n')
      .concat('\n'),
  );

  await page.getByRole('link', { name: 'Conciliación' }).click();
  await expect(page).toHaveURL(/\/console\/reconciliation$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Conciliación bancaria' })).toBeVisible();
  await page.locator('input[type="file"]').setInputFiles(file);
  await page.locator('input[name="bank"]').fill('BANAMEX');
  await page.locator('input[name="account"]').fill(`E2E-${f.runId.slice(0, 8)}`);
  await page.locator('input[name="currency"]').fill('MXN');
  await page.getByRole('button', { name: 'Subir y conciliar' }).click();
  await expect(page.getByTestId('statement-status')).toHaveText('completed', { timeout: 30_000 });
  await expect(page.getByTestId('statement-job')).toContainText('en cola 1');

  const row = page.getByTestId('reconciliation-queue').locator('tbody tr').filter({ hasText: remittance });
  await expect(row).toHaveCount(1, { timeout: 15_000 });
  await expect(row).toContainText('150.00 MXN');
  const suggestion = row.getByTestId('suggestion').filter({ hasText: debtorName });
  await expect(suggestion).toContainText(/puntaje 0\.\d\d/);
  await checkPage(page, 'reconciliation-queue');

  await row.getByRole('button', { name: new RegExp(`^Aplicar .* a ${debtorName}$`) }).click();
  await expect(page.getByRole('status')).toContainText('150.00 MXN aplicado a 1 cuenta(s)');
  await expect(row).toHaveCount(0);

  // Decimal strings to minor units without a float (balances here are positive, two decimals at most).
  const toMinor = (s: string) => {
    const [int = '0', frac = ''] = s.split('.');
    return BigInt(int) * 100n + BigInt(frac.padEnd(2, '0').slice(0, 2));
  };
  await expect
    .poll(
      async () =>
        toMinor(
          ((await (await page.request.get(`/v1/accounts/${accountId}`)).json()) as { balance: { amount: string } })
            .balance.amount,
        ),
      { timeout: 20_000 },
    )
    .toBe(toMinor(before.balance.amount) - 15_000n);
  await checkPage(page, 'reconciliation-applied');
});
