// Shared steps of the console journeys: the seeded fixture, login through the form, the accessibility
// check (axe-core: no serious or critical violation) and screenshots kept under test-results/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import type { ConsoleFixture, Login } from './seed';

export function fixture(): ConsoleFixture {
  const file = process.env.E2E_FIXTURE;
  if (!file) throw new Error('E2E_FIXTURE is not set: run the browser tests with `npm run test:e2e`.');
  return JSON.parse(readFileSync(file, 'utf8')) as ConsoleFixture;
}

export async function login(page: Page, who: Login, next?: string): Promise<void> {
  await page.goto(`/console/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.locator('input[name="email"]').fill(who.email);
  await page.locator('input[name="password"]').fill(who.password);
  await page.getByRole('button', { name: /^(Entrar|Log in)$/ }).click();
  await expect(page).not.toHaveURL(/\/console\/login/);
}

/** Every page: exactly one h1, <html lang> set, and no serious or critical axe violation. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await expect(page.locator('h1')).toHaveCount(1);
  expect(await page.locator('html').getAttribute('lang')).toMatch(/^(es|en)$/);
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `axe on ${name}`,
  ).toEqual([]);
  await page.screenshot({ path: path.join('test-results', 'screenshots', `${name}.png`), fullPage: true });
}
