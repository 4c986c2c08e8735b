// The agent's day: log in, "Mi trabajo" in work order, the account with its contacts, a refused promise
// with the policy's minimum beside the field, an accepted promise and payment, the task completed; the
// language switch; a lost session returns to login and back to the same page. Plus the queue's budgets.
import { gzipSync } from 'node:zlib';
import { expect, test, type Response } from '@playwright/test';
import { checkPage, fixture, login } from './support';

const f = fixture();

function tomorrow(): string {
  const d = new Date(Date.now() + 86_400_000);
  return d.toISOString().slice(0, 10);
}

test('agent journey: queue → account → promise, payment, task done', async ({ page }) => {
  await login(page, f.users.agent);
  await expect(page).toHaveURL(/\/console\/queue$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Mi trabajo' })).toBeVisible();
  const rows = page.locator('[data-testid="queue"] tbody tr');
  // The two seeded tasks, and any call task the account's strategy created meanwhile.
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
  // Overdue and high priority first.
  await expect(rows.first()).toHaveAttribute('data-task', f.agentTaskId);
  await expect(rows.first()).toContainText('Vencida');
  await checkPage(page, 'agent-queue');

  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/console/accounts/${f.agentAccountId}\\?task=`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Deudora 0 Ruiz');
  await expect(page.locator(`a[href="tel:${f.debtorPhone}"]`)).toBeVisible();
  await expect(page.locator('a[href^="https://wa.me/525512345678"]')).toBeVisible();
  await expect(page.getByRole('cell', { name: `${f.runId}-F0` })).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveText('800.00 MXN');
  await checkPage(page, 'agent-account');

  // The strategy's promise policy refuses 1.00 (minimum 30 %): its answer is shown beside the amount.
  await page.getByRole('tab', { name: 'Promesa' }).click();
  const promise = page.getByRole('form', { name: 'Registrar promesa' });
  await promise.locator('input[name="amount"]').fill('1.00');
  await promise.locator('input[name="dueDate"]').fill(tomorrow());
  await promise.getByRole('button', { name: 'Registrar promesa' }).click();
  const amount = promise.locator('input[name="amount"]');
  await expect(amount).toHaveAttribute('aria-invalid', 'true');
  await expect(promise).toContainText('Mínimo aceptado: 240.00 MXN');
  await amount.fill('300.00');
  await promise.getByRole('button', { name: 'Registrar promesa' }).click();
  await expect(promise.getByRole('status')).toBeVisible();
  await expect(page.getByTestId('promise')).toContainText('300.00 MXN', { timeout: 30_000 });

  // A payment: the balance follows once the workflow applied it.
  await page.getByRole('tab', { name: 'Registrar pago' }).click();
  const payment = page.getByRole('form', { name: 'Registrar pago' });
  await payment.locator('input[name="amount"]').fill('100.00');
  await payment.locator('input[name="reference"]').fill(`${f.runId}-pay-1`);
  await payment.getByRole('button', { name: 'Registrar pago' }).click();
  await expect(payment.getByRole('status')).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('balance')).toHaveText('700.00 MXN', { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });

  // A field error from the API (400 naming `reference`) is shown beside that field.
  await page.getByRole('tab', { name: 'Registrar pago' }).click();
  await payment.locator('input[name="amount"]').fill('abc');
  await payment.locator('input[name="reference"]').fill('x');
  await payment.getByRole('button', { name: 'Registrar pago' }).click();
  await expect(payment.locator('input[name="amount"]')).toHaveAttribute('aria-invalid', 'true');

  await page.getByRole('tab', { name: 'Completar tarea' }).click();
  const task = page.getByRole('form', { name: 'Completar tarea' });
  await task.locator('select[name="outcome"]').selectOption('promise_to_pay');
  await task.getByRole('button', { name: 'Completar tarea' }).click();
  await expect(page).toHaveURL(/\/console\/queue$/);
  await expect(page.locator(`[data-task="${f.agentTaskId}"]`)).toHaveCount(0);
});

test('language switch: English is remembered on the session and written to <html lang>', async ({ page }) => {
  await login(page, f.users.agent);
  await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
  await expect(page.getByRole('heading', { level: 1, name: 'My work' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await checkPage(page, 'agent-queue-en');
  // Another browser (no localStorage) gets English from the session after login.
  await page.context().clearCookies();
  await page.evaluate('localStorage.clear()');
  await login(page, f.users.agent);
  await expect(page.getByRole('heading', { level: 1, name: 'My work' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('es');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
});

test('a lost session returns to login and back to the same page', async ({ page }) => {
  await login(page, f.users.agent);
  await page.goto(`/console/accounts/${f.agentAccountId}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Deudora 0 Ruiz');
  await page.context().clearCookies();
  await page.getByRole('tab', { name: 'Disputa' }).click();
  await page.locator('textarea[name="reason"]').fill('No reconozco la factura');
  await page.getByRole('button', { name: 'Disputa' }).click();
  await expect(page).toHaveURL(/\/console\/login\?expired=1&next=/);
  await checkPage(page, 'login');
  await page.locator('input[name="email"]').fill(f.users.agent.email);
  await page.locator('input[name="password"]').fill('not the password');
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByText('Correo o contraseña incorrectos.')).toBeVisible();
  await page.locator('input[name="password"]').fill(f.users.agent.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page).toHaveURL(new RegExp(`/console/accounts/${f.agentAccountId}$`));
});

test('the queue route loads ≤ 300 KB of JavaScript gzipped and shows all 500 tasks (render time logged)', async ({
  page,
}) => {
  // Three loads of 500 rows and axe over them: longer than a journey on a busy machine.
  test.setTimeout(240_000);
  await login(page, f.users.queueAgent);
  // A fresh load of the route, counting every script it fetches.
  const scripts = new Map<string, number>();
  const urls = new Set<string>();
  const onResponse = (res: Response) => {
    if (res.request().resourceType() === 'script') urls.add(res.url());
  };
  page.on('response', onResponse);
  await page.goto('/console/queue');
  await expect(page.locator('[data-testid="queue"] tbody tr')).toHaveCount(f.queueTasks);
  await page.waitForLoadState('networkidle');
  page.off('response', onResponse);
  // Each script the route loaded, fetched again and gzipped here (what a server's gzip would send).
  for (const url of urls) scripts.set(url, gzipSync(await (await page.request.get(url)).body(), { level: 9 }).length);
  const gzipped = [...scripts.values()].reduce((a, b) => a + b, 0);
  // The render time: the median of three loads (one load on a busy machine can be an outlier).
  const renders: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) {
      await page.reload();
      await expect(page.locator('[data-testid="queue"] tbody tr')).toHaveCount(f.queueTasks);
    }
    renders.push(
      await page.evaluate(() => performance.getEntriesByName('queue-render', 'measure').at(-1)?.duration ?? Number.NaN),
    );
  }
  const renderMs = renders.sort((x, y) => x - y)[1] ?? Number.NaN;
  console.log(
    `queue route: ${scripts.size} scripts, ${(gzipped / 1024).toFixed(1)} KB gzipped; 500-task render ${renderMs.toFixed(1)} ms (median of ${renders.map((r) => r.toFixed(0)).join(', ')})`,
  );
  expect(scripts.size).toBeGreaterThan(0);
  expect(gzipped).toBeLessThanOrEqual(300 * 1024);
  // The render time is measured, not asserted: ≤ 200 ms is the console bench's to prove (npm run bench --
  // console); on a loaded CI machine a bound here could only flake.
  expect(Number.isFinite(renderMs)).toBe(true);
  await checkPage(page, 'agent-queue-500');
});
