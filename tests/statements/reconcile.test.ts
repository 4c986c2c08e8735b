// Bank statements end to end on the real servers: a camt.053 written as a bank writes it is uploaded; lines with
// a transfer reference, with invoice numbers, with the payer's name and a promise's amount become payments
// through the outbox (a promise kept, a paid account closes with its scheduled reminder never sent), an
// over-payment leaves a debtor credit, a returned transfer reverses its payment, the rest waits in the queue;
// the same statement again changes nothing; the queue is worked through the API.
import { and, eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import {
  accounts,
  debtorCredits,
  outboundMessages,
  payments,
  statementApplications,
  statementLines,
} from '../../db/schema';
import { transferReferenceFor } from '../../lib/payments/transfer-reference';
import { spanishCsv } from '../imports/portfolio-fixtures';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let db: DbHandle;
let call: ReturnType<typeof httpClient>;
let keys: Record<'system' | 'supervisor' | 'strategist' | 'agent', string>;

const zone = 'America/Mexico_City';
const today = () => DateTime.now().setZone(zone);
const day = (n: number) => today().plus({ days: n }).toISODate() ?? '';

beforeAll(async () => {
  app = await startTestApp();
  call = httpClient(app.url);
  keys = {
    system: await app.keyFor('system'),
    supervisor: await app.keyFor('supervisor'),
    strategist: await app.keyFor('strategist'),
    agent: await app.keyFor('agent', uniqueId('agent')),
  };
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

async function openAccount(opts: {
  debtorId: string;
  name: string;
  invoices: { id: string; amount: string; due: number }[];
}) {
  let accountId = '';
  for (const inv of opts.invoices) {
    const res = await call(
      'POST',
      '/v1/invoices',
      {
        externalId: inv.id,
        debtor: {
          externalId: opts.debtorId,
          name: opts.name,
          kind: 'company',
          email: 'pagos@example.com',
          country: 'MX',
        },
        amount: inv.amount,
        currency: 'MXN',
        dueDate: day(inv.due),
      },
      keys.system,
    );
    expect(res.status).toBe(201);
    accountId = res.body.accountId as string;
  }
  const total = opts.invoices.reduce((s, i) => s + Number(i.amount.replace('.', '')), 0);
  const view = await eventually(
    () => call('GET', `/v1/accounts/${accountId}`, undefined, keys.system),
    (r) => r.body.balance?.amount === (total / 100).toFixed(2) && r.body.stage !== 'none',
  );
  expect(view.body.balance.amount).toBe((total / 100).toFixed(2));
  const [row] = await db.db.select({ debtorId: accounts.debtorId }).from(accounts).where(eq(accounts.id, accountId));
  return { accountId, debtorId: row!.debtorId };
}

const account = (id: string) => call('GET', `/v1/accounts/${id}`, undefined, keys.system);

interface Entry {
  ref: string;
  amount: string;
  direction?: 'CRDT' | 'DBIT';
  reversal?: boolean;
  e2e?: string;
  ustrd?: string;
  debtorName?: string;
  returned?: boolean;
}

/** A camt.053.001.08 as Banorte's host-to-host channel writes it. */
function camt053(account: string, entries: Entry[]): string {
  const ntry = (e: Entry) => `
      <Ntry>
        <Amt Ccy="MXN">${e.amount}</Amt>
        <CdtDbtInd>${e.direction ?? 'CRDT'}</CdtDbtInd>${e.reversal ? '\n        <RvslInd>true</RvslInd>' : ''}
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>${day(0)}</Dt></BookgDt>
        <ValDt><Dt>${day(0)}</Dt></ValDt>
        <AcctSvcrRef>${e.ref}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>${e.e2e ?? 'NOTPROVIDED'}</EndToEndId></Refs>
          ${e.debtorName ? `<RltdPties><Dbtr><Pty><Nm>${e.debtorName}</Nm></Pty></Dbtr></RltdPties>` : ''}
          ${e.returned ? '<RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf>' : ''}
          ${e.ustrd ? `<RmtInf><Ustrd>${e.ustrd}</Ustrd></RmtInf>` : ''}
        </TxDtls></NtryDtls>
      </Ntry>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>${uniqueId('MSG')}</MsgId><CreDtTm>${today().toISO()}</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${account}-${day(0)}</Id>
      <Acct><Id><Othr><Id>${account}</Id></Othr></Id><Ccy>MXN</Ccy>
        <Svcr><FinInstnId><BICFI>MENOMXMTXXX</BICFI></FinInstnId></Svcr></Acct>
      ${entries.map(ntry).join('')}
    </Stmt>
  </BkToCstmrStmt>
</Document>`;
}

async function upload(
  body: string,
  query = '',
  headers: Record<string, string> = { 'content-type': 'application/xml' },
) {
  const res = await call('POST', `/v1/statements${query}`, body, keys.system, headers);
  expect(res.status).toBe(202);
  const job = await eventually(
    () => call('GET', `/v1/statements/${res.body.jobId as string}`, undefined, keys.supervisor),
    (r) => r.body.status === 'completed' || r.body.status === 'failed',
  );
  expect(job.body.status).toBe('completed');
  return job.body;
}

describe('bank statements into the account workflows', () => {
  it('applies, credits, reverses and queues; the same statement again changes nothing', async () => {
    const u = uniqueId('x').slice(2);
    // Invoice numbers as ERPs number them: digits (unique to this run).
    const n = String(Date.now()).slice(-8);
    const bankAccount = `0721800${Date.now()}`.slice(0, 18);
    // A: pays its whole balance with its transfer reference; a reminder was scheduled for later.
    const a = await openAccount({
      debtorId: uniqueId('RFC'),
      name: 'Ferretería López e Hijos SA de CV',
      invoices: [{ id: `A-${u}`, amount: '12500.00', due: -3 }],
    });
    const refA = (await transferReferenceFor(db.db, a.debtorId, 'MXN')).reference;
    const beforeA = await account(a.accountId);
    // B: names one of its two invoices; that payment comes back (returned transfer) in the same statement.
    const b = await openAccount({
      debtorId: uniqueId('RFC'),
      name: 'Abarrotes La Esperanza',
      invoices: [
        { id: `FAC-${n}1`, amount: '5000.00', due: -20 },
        { id: `FAC-${n}2`, amount: '3740.50', due: -3 },
      ],
    });
    // C: promised its whole balance, paid by a transfer naming only the payer: settling keeps the promise at once.
    const cName = `Taller Mecánico Ríos ${u}`;
    const c = await openAccount({
      debtorId: uniqueId('RFC'),
      name: cName,
      invoices: [{ id: `C-${u}`, amount: '1000.00', due: -3 }],
    });
    const promise = await call(
      'POST',
      `/v1/accounts/${c.accountId}/promises`,
      { amount: '1000.00', dueDate: day(1) },
      keys.system,
    );
    expect(promise.status, JSON.stringify(promise.body)).toBe(201);
    await eventually(
      () => account(c.accountId),
      (r) => r.body.promise?.status === 'active',
    );
    // D: pays more than it owes.
    const d = await openAccount({
      debtorId: uniqueId('RFC'),
      name: 'Comercializadora del Bajío',
      invoices: [{ id: `D-${u}`, amount: '1000.00', due: -3 }],
    });
    const refD = (await transferReferenceFor(db.db, d.debtorId, 'MXN')).reference;

    const statement = camt053(bankAccount, [
      { ref: `${u}-1`, amount: '12500.00', ustrd: `PAGO REF ${refA.slice(0, 5)} ${refA.slice(5)}` },
      { ref: `${u}-2`, amount: '5000.00', e2e: `E2E${u}`, ustrd: `Pago factura F ${n}1` },
      { ref: `${u}-3`, amount: '1000.00', debtorName: cName.toUpperCase().normalize('NFD').replace(/\p{M}/gu, '') },
      { ref: `${u}-4`, amount: '1500.00', ustrd: `REF ${refD}` },
      { ref: `${u}-5`, amount: '777.00', ustrd: 'DEPOSITO EN EFECTIVO' },
      { ref: `${u}-6`, amount: '11.00', direction: 'DBIT', ustrd: 'COMISION SPEI' },
      { ref: `${u}-7`, amount: '5000.00', direction: 'DBIT', e2e: `E2E${u}`, returned: true, ustrd: 'DEVOLUCION SPEI' },
    ]);
    const job = await upload(statement);
    expect(job).toMatchObject({ format: 'camt.053', totalLines: 7, newLines: 7, repeatedLines: 0, failedLines: 0 });
    expect(job.appliedLines).toBe(5);
    expect(job.queuedLines).toBe(1);

    const lines = await db.db
      .select()
      .from(statementLines)
      .where(sql`${statementLines.bankReference} like ${`${u}-%`}`)
      .orderBy(statementLines.bankReference);
    const byRef = new Map(lines.map((l) => [l.bankReference, l]));
    expect(byRef.get(`${u}-1`)?.status).toBe('applied');
    expect(byRef.get(`${u}-5`)).toMatchObject({ status: 'unmatched', queueReason: 'no candidate' });
    expect(byRef.get(`${u}-6`)).toMatchObject({ status: 'ignored', ignoredReason: 'money out: not a debtor payment' });
    expect(byRef.get(`${u}-7`)).toMatchObject({ status: 'applied', reversesLineId: byRef.get(`${u}-2`)?.id });

    // A: paid through the outbox with reference = the line's key; closed paid; the scheduled reminder never left.
    const [paymentA] = await db.db.select().from(payments).where(eq(payments.accountId, a.accountId));
    expect(paymentA).toMatchObject({ reference: byRef.get(`${u}-1`)?.key, amountMinor: 1250000 });
    const paidA = await eventually(
      () => account(a.accountId),
      (r) => r.body.status === 'paid',
    );
    expect(paidA.body).toMatchObject({ status: 'paid', balance: { amount: '0.00' } });
    expect(paidA.body.nextAction ?? null).toBeNull();
    const sentBefore = (beforeA.body.timeline as { type: string }[]).filter((e) => e.type === 'message').length;
    const sentAfter = (paidA.body.timeline as { type: string }[]).filter((e) => e.type === 'message').length;
    expect(sentAfter).toBe(sentBefore);
    const messagesA = await db.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, a.accountId));
    expect(messagesA).toHaveLength(sentBefore);

    // B: the returned transfer reversed the payment of FAC-…1: the balance is whole again.
    const bView = await eventually(
      () => account(b.accountId),
      (r) =>
        (r.body.timeline as { type: string }[]).some((e) => e.type === 'payment_reversed') &&
        r.body.balance?.amount === '8740.50',
    );
    expect(bView.body.balance.amount).toBe('8740.50');

    // C: found by its name and the promise's amount: the promise is kept.
    const cView = await eventually(
      () => account(c.accountId),
      (r) => (r.body.timeline as { type: string }[]).some((e) => e.type === 'promise_kept'),
    );
    expect(cView.body.balance.amount).toBe('0.00');
    expect((cView.body.timeline as { type: string }[]).map((e) => e.type)).toContain('promise_kept');

    // D: 1000.00 paid, 500.00 left as the debtor's credit.
    const dView = await eventually(
      () => account(d.accountId),
      (r) => r.body.status === 'paid',
    );
    expect(dView.body.balance.amount).toBe('0.00');
    const credits = await db.db.select().from(debtorCredits).where(eq(debtorCredits.debtorId, d.debtorId));
    expect(credits).toEqual([
      expect.objectContaining({ amountMinor: 50000, currency: 'MXN', source: 'statement_line' }),
    ]);

    // The same statement again: every line is known, nothing is booked twice.
    const again = await upload(statement);
    expect(again).toMatchObject({ newLines: 0, repeatedLines: 7, appliedLines: 0, queuedLines: 0 });
    const allPayments = await db.db
      .select()
      .from(payments)
      .where(sql`${payments.reference} like ${`stmt|MENOMXMTXXX|${bankAccount}|%`}`);
    expect(allPayments).toHaveLength(4);

    // The queue: the unknown deposit with its reason; applied by hand to B's account, then once more (no-op).
    const queue = await eventually(
      () => call('GET', '/v1/statements/unmatched?limit=200', undefined, keys.agent),
      (r) => (r.body.items as { bankReference: string }[]).some((i) => i.bankReference === `${u}-5`),
    );
    expect(queue.status).toBe(200);
    const waiting = (
      queue.body.items as { id: string; bankReference: string; amount: string; queueReason: string }[]
    ).find((i) => i.bankReference === `${u}-5`);
    expect(waiting).toMatchObject({ amount: '777.00', queueReason: 'no candidate' });
    const applied = await call(
      'POST',
      `/v1/statement-lines/${waiting!.id}/apply`,
      { accountId: b.accountId },
      keys.supervisor,
    );
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({
      status: 'applied',
      duplicate: false,
      credit: null,
      applied: [{ accountId: b.accountId, amount: '777.00' }],
    });
    const twice = await call(
      'POST',
      `/v1/statement-lines/${waiting!.id}/apply`,
      { accountId: b.accountId },
      keys.supervisor,
    );
    expect(twice.body).toMatchObject({ status: 'applied', duplicate: true });
    await eventually(
      () => account(b.accountId),
      (r) => r.body.balance?.amount === '7963.50',
    );
    const bPayments = await db.db
      .select()
      .from(payments)
      .where(and(eq(payments.accountId, b.accountId), eq(payments.reference, byRef.get(`${u}-5`)!.key)));
    expect(bPayments).toHaveLength(1);
  });

  it("an over-payment's credit pays the debtor's next invoices, once, whichever way they arrive", async () => {
    const u = uniqueId('x').slice(2);
    const bankAccount = `0721900${Date.now()}`.slice(0, 18);
    const debtorExt = uniqueId('RFC');
    const name = 'Papelería San Ángel';
    const e = await openAccount({
      debtorId: debtorExt,
      name,
      invoices: [{ id: `E-${u}`, amount: '1000.00', due: -3 }],
    });
    const refE = (await transferReferenceFor(db.db, e.debtorId, 'MXN')).reference;
    const job = await upload(camt053(bankAccount, [{ ref: `${u}-1`, amount: '1600.00', ustrd: `REF ${refE}` }]));
    expect(job).toMatchObject({ appliedLines: 1, queuedLines: 0 });
    await eventually(
      () => account(e.accountId),
      (r) => r.body.status === 'paid',
    );
    const creditLeft = async () =>
      (await db.db.select().from(debtorCredits).where(eq(debtorCredits.debtorId, e.debtorId))).reduce(
        (sum, c) => sum + c.amountMinor,
        0,
      );
    expect(await creditLeft()).toBe(60000);

    // Through the API: 250.00 owed, 250.00 of credit spent at once; the new account closes paid.
    const second = {
      externalId: `E2-${u}`,
      debtor: { externalId: debtorExt, name, kind: 'company', email: 'pagos@example.com', country: 'MX' },
      amount: '250.00',
      currency: 'MXN',
      dueDate: day(-1),
    };
    const created = await call('POST', '/v1/invoices', second, keys.system);
    expect(created.status).toBe(201);
    const e2 = created.body.accountId as string;
    expect(e2).not.toBe(e.accountId);
    const paid = await eventually(
      () => account(e2),
      (r) => r.body.status === 'paid',
    );
    expect(paid.body.balance.amount).toBe('0.00');
    const [creditPayment] = await db.db.select().from(payments).where(eq(payments.accountId, e2));
    expect(creditPayment).toMatchObject({
      reference: `credit:${created.body.invoiceId as string}`,
      amountMinor: 25000,
    });
    expect(await creditLeft()).toBe(35000);
    // The same invoice again is a repeat: no second consumption.
    const repeated = await call('POST', '/v1/invoices', second, keys.system);
    expect(repeated.status).toBe(200);
    expect(await creditLeft()).toBe(35000);

    // Through a portfolio import (the set-based path): 1,000.00 owed, the 350.00 left is spent, 650.00 due.
    const csv = spanishCsv([
      ['Nº Factura', 'RFC', 'Razón Social', 'Tipo', 'Correo', 'Monto', 'Fecha de Vencimiento'],
      [
        `E3-${u}`,
        debtorExt,
        name,
        'Empresa',
        'pagos@example.com',
        '1.000,00',
        today().minus({ days: 2 }).toFormat('dd/MM/yyyy'),
      ],
    ]);
    const imported = await call('POST', '/v1/imports?country=MX&currency=MXN', csv, keys.system, {
      'content-type': 'text/csv',
    });
    expect(imported.status).toBe(202);
    const importJob = await eventually(
      () => call('GET', `/v1/imports/${imported.body.jobId as string}`, undefined, keys.system),
      (r) => r.body.status === 'completed' || r.body.status === 'failed',
    );
    expect(importJob.body).toMatchObject({ status: 'completed', newLines: 1, error: null });
    const [third] = await db.db
      .select({ accountId: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.debtorId, e.debtorId), sql`${accounts.closedAt} is null`));
    expect(third).toBeDefined();
    await eventually(
      () => account(third!.accountId),
      (r) => r.body.balance?.amount === '650.00',
    );
    expect(await creditLeft()).toBe(0);
    const entries = await db.db.select().from(debtorCredits).where(eq(debtorCredits.debtorId, e.debtorId));
    expect(entries.map((c) => [c.source, c.amountMinor]).sort()).toEqual(
      [
        ['invoice', -25000],
        ['invoice', -35000],
        ['statement_line', 60000],
      ].sort(),
    );
  });

  it('a line split across two debtors pays each account and records each debtor', async () => {
    const u = uniqueId('s').slice(2);
    const f = await openAccount({
      debtorId: uniqueId('RFC'),
      name: 'Grupo Norte',
      invoices: [{ id: `F-${u}`, amount: '300.00', due: -5 }],
    });
    const g = await openAccount({
      debtorId: uniqueId('RFC'),
      name: 'Grupo Norte Servicios',
      invoices: [{ id: `G-${u}`, amount: '200.00', due: -5 }],
    });
    const job = await upload(camt053(`0721700${Date.now()}`.slice(0, 18), [{ ref: `${u}-1`, amount: '500.00' }]));
    expect(job).toMatchObject({ appliedLines: 0, queuedLines: 1 });
    const [line] = await db.db
      .select()
      .from(statementLines)
      .where(eq(statementLines.bankReference, `${u}-1`));
    const wrong = await call(
      'POST',
      `/v1/statement-lines/${line!.id}/apply`,
      { splits: [{ accountId: f.accountId, amount: '300.00' }] },
      keys.supervisor,
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors?.[0]?.field ?? wrong.body.field).toContain('splits');
    const split = await call(
      'POST',
      `/v1/statement-lines/${line!.id}/apply`,
      {
        splits: [
          { accountId: f.accountId, amount: '300.00' },
          { accountId: g.accountId, amount: '200.00' },
        ],
      },
      keys.supervisor,
    );
    expect(split.status, JSON.stringify(split.body)).toBe(200);
    for (const acct of [f.accountId, g.accountId])
      await eventually(
        () => account(acct),
        (r) => r.body.status === 'paid',
      );
    const rows = await db.db.select().from(statementApplications).where(eq(statementApplications.lineId, line!.id));
    expect(rows.map((r) => [r.accountId, r.debtorId, r.amountMinor]).sort()).toEqual(
      [
        [f.accountId, f.debtorId, 30000],
        [g.accountId, g.debtorId, 20000],
      ].sort(),
    );
  });

  it('a statement whose bytes hold NUL ends as a finished job showing them, never stuck running', async () => {
    const csv =
      'Fe\u0000cha;Con\u0000cepto;Dep\u0000ósitos\r\n01/12/2026;PAGO\u0000X;1,00\r\n32/13/2026;MAL\u0000;1,00\r\n';
    const res = await call('POST', '/v1/statements?bank=BANORTE', csv, keys.system, { 'content-type': 'text/csv' });
    expect(res.status).toBe(202);
    const job = await eventually(
      () => call('GET', `/v1/statements/${res.body.jobId as string}`, undefined, keys.supervisor),
      (r) => r.body.status === 'completed' || r.body.status === 'failed',
    );
    expect(['completed', 'failed']).toContain(job.body.status);
    expect(JSON.stringify(job.body)).not.toContain('\\u0000');
  });

  it('takes a bank CSV as a multipart form; ignore needs a reason; bad input names the field', async () => {
    const u = uniqueId('y').slice(2);
    const csv = [
      'Banco Mercantil del Norte;;;;',
      `No. de cuenta: 0721 8000 ${u.replace(/\D/g, '1').slice(0, 6)};;;;`,
      ';;;;',
      'Fecha;Concepto;Referencia;Depósitos;Retiros',
      `${today().toFormat('dd/MM/yyyy')};DEPOSITO SIN REFERENCIA ${u};;1.234,56;`,
      '32/13/2026;MAL;;1,00;',
    ].join('\r\n');
    const form = new FormData();
    form.set('bank', 'BANORTE');
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'estado.csv');
    const res = await fetch(`${app.url}/v1/statements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.supervisor}` },
      body: form,
    });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    const job = await eventually(
      () => call('GET', `/v1/statements/${jobId}`, undefined, keys.system),
      (r) => r.body.status === 'completed',
    );
    expect(job.body).toMatchObject({
      format: 'csv',
      filename: 'estado.csv',
      newLines: 1,
      failedLines: 1,
      queuedLines: 1,
    });
    expect(job.body.errors).toEqual([
      expect.objectContaining({ line: 6, errors: [expect.objectContaining({ field: 'date' })] }),
    ]);
    const [line] = await db.db.select().from(statementLines).where(eq(statementLines.jobId, jobId));
    expect(line).toMatchObject({ bank: 'BANORTE', amountMinor: 123456, status: 'unmatched' });

    const noReason = await call('POST', `/v1/statement-lines/${line!.id}/ignore`, {}, keys.supervisor);
    expect(noReason.status).toBe(400);
    const ignored = await call(
      'POST',
      `/v1/statement-lines/${line!.id}/ignore`,
      { reason: 'traspaso entre cuentas propias' },
      keys.supervisor,
    );
    expect(ignored.status).toBe(200);
    expect(ignored.body).toMatchObject({ status: 'ignored', ignoredReason: 'traspaso entre cuentas propias' });
    const applyIgnored = await call(
      'POST',
      `/v1/statement-lines/${line!.id}/apply`,
      { accountId: line!.id },
      keys.supervisor,
    );
    expect(applyIgnored.status).toBe(409);

    const two = await call(
      'POST',
      `/v1/statement-lines/${line!.id}/apply`,
      { accountId: line!.id, splits: [] },
      keys.supervisor,
    );
    expect(two.status).toBe(400);
    const missing = await call(
      'POST',
      `/v1/statement-lines/${crypto.randomUUID()}/apply`,
      { accountId: line!.id },
      keys.supervisor,
    );
    expect(missing.status).toBe(404);
    const badMapping = await call('POST', '/v1/statements?mapping=%7B%22nope%22%3A%22x%22%7D', csv, keys.system, {
      'content-type': 'text/csv',
    });
    expect(badMapping.status).toBe(400);
    expect(badMapping.body.errors[0].field).toBe('querystring.mapping.nope');
    expect((await call('POST', '/v1/statements', csv, keys.strategist, { 'content-type': 'text/csv' })).status).toBe(
      403,
    );
    expect((await call('GET', `/v1/statements/${crypto.randomUUID()}`, undefined, keys.system)).status).toBe(404);
  });
});
