// `npm run screenshots`: the README's pictures of each role's main page, at a laptop's size (1280×800, the
// visible part of the page), from the browser tests' own harness: the same servers (scripts/bench/servers.ts),
// the same seeded users, accounts and 500-task queue (tests/browser/seed.ts), and the same login and
// accessibility check (tests/browser/support.ts: one <h1>, <html lang>, no serious or critical axe violation).
// A statement line waiting in the reconciliation queue and the debtor's portal link are made through the API.
// Writes docs/screenshots/<name>.png (a JPEG instead when the PNG would pass 200 KB); prints what it wrote.
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { chromium, expect, type Browser, type Page } from '@playwright/test';
import type { Login } from '../tests/browser/seed';
import { startSeededConsole } from '../tests/browser/seeded-env';
import { checkPage, login } from '../tests/browser/support';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'docs/screenshots');
const MAX_BYTES = 200 * 1024;
const log = (line: string) => process.stderr.write(`[screenshots] ${line}\n`);

interface Shot {
  name: string;
  /** Who is signed in (none: the debtor's portal, opened from their link). */
  who: Login | null;
  /** Where the page is, under the app's origin. */
  path: string;
  /** What is on screen once the page has its data. */
  ready: string;
}

async function take(browser: Browser, baseURL: string, shot: Shot): Promise<string> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1280, height: 800 },
    locale: 'es-MX',
    timezoneId: 'America/Mexico_City',
  });
  try {
    const page: Page = await context.newPage();
    try {
      if (shot.who) await login(page, shot.who);
      await page.goto(shot.path);
      await expect(page.locator(shot.ready).first()).toBeVisible({ timeout: 30_000 });
    } catch (err) {
      await page.screenshot({ path: path.join(root, 'test-results/screenshots', `readme-${shot.name}-failed.png`) });
      throw err;
    }
    await page.waitForLoadState('networkidle');
    // The charts draw with a short animation.
    await page.waitForTimeout(1_000);
    await checkPage(page, `readme-${shot.name}`);
    const png = await page.screenshot({ type: 'png' });
    const file = path.join(out, `${shot.name}.png`);
    const jpeg = path.join(out, `${shot.name}.jpg`);
    if (png.length <= MAX_BYTES) {
      writeFileSync(file, png);
      rmSync(jpeg, { force: true });
      return file;
    }
    writeFileSync(jpeg, await page.screenshot({ type: 'jpeg', quality: 80 }));
    rmSync(file, { force: true });
    return jpeg;
  } finally {
    await context.close();
  }
}

async function main(): Promise<number> {
  const { env, fixture: f } = await startSeededConsole(log);
  let browser: Browser | undefined;
  try {
    const call = async (method: string, url: string, body?: string, type?: string) => {
      const res = await fetch(`${env.apiUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${env.apiKey}`, ...(type ? { 'content-type': type } : {}) },
        body,
      });
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };

    // A deposit that names a debtor but no invoice: it waits in the queue with that debtor suggested.
    const day = DateTime.now().setZone('America/Mexico_City').toFormat('dd/MM/yyyy');
    const csv = [
      'Fecha;Concepto;Clave de rastreo;Ordenante;Importe',
      `${day};ABONO CLIENTE;RASTREO${Date.now()};Deudora 7 Ruiz;150.00`,
      `${day};TRANSFERENCIA SPEI;RASTREO${Date.now() + 1};Deudora 5 Ruiz;420.50`,
    ].join('\n');
    const query = new URLSearchParams({ bank: 'BANAMEX', account: `SHOTS-${env.runId.slice(6)}`, currency: 'MXN' });
    const { jobId } = (await call('POST', `/v1/statements?${query.toString()}`, `${csv}\n`, 'text/csv')) as {
      jobId: string;
    };
    await expect
      .poll(async () => (await call('GET', `/v1/statements/${jobId}`)).status, { timeout: 60_000 })
      .toBe('completed');

    // The debtor's own link, as their messages carry it (its origin is the app's public URL).
    const link = new URL(String((await call('GET', `/v1/accounts/${f.agentAccountId}/portal-link`)).url));

    const shots: Shot[] = [
      { name: 'agent-queue', who: f.users.queueAgent, path: '/console/queue', ready: '[data-task]' },
      {
        name: 'agent-account',
        who: f.users.agent,
        path: `/console/accounts/${f.agentAccountId}`,
        ready: '[data-testid="balance"]',
      },
      { name: 'supervisor-dashboard', who: f.users.supervisor, path: '/console/dashboard', ready: 'canvas' },
      {
        name: 'reconciliation-queue',
        who: f.users.supervisor,
        path: '/console/reconciliation',
        ready: '[data-testid="suggestion"]',
      },
      {
        name: 'strategist-editor',
        who: f.users.strategist,
        path: `/console/strategies/${f.strategyId}`,
        ready: '[data-testid="journey"]',
      },
      {
        name: 'admin-users',
        who: f.users.admin,
        path: '/console/admin/users',
        ready: '[data-testid="users"] tbody tr',
      },
      { name: 'portal-laptop', who: null, path: link.pathname, ready: 'h1' },
    ];
    mkdirSync(out, { recursive: true });
    mkdirSync(path.join(root, 'test-results/screenshots'), { recursive: true });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    for (const shot of shots) {
      // Once more on a failure: a machine shared with other runs can be slow to answer a login.
      const file = await take(browser, env.apiUrl, shot).catch((err: unknown) => {
        log(`${shot.name}: ${(err as Error).message.split('\n')[0]}; trying again`);
        return take(browser as Browser, env.apiUrl, shot);
      });
      process.stdout.write(`${path.relative(root, file)} ${Math.round(statSync(file).size / 1024)} KB\n`);
    }
    return 0;
  } finally {
    await browser?.close();
    await env.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
