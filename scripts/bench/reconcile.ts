// `npm run bench -- reconcile`: 100,000 generated bank statement lines against 1,000,000 open invoices
// (generated in PostgreSQL with generate_series), matched by the statement job's own code (lib/reconcile/store.ts
// matchLines: the same queries, index and decision) at the default RECONCILE_AUTO_THRESHOLD. Every line's true
// debtor is known, so the precision and recall of the automatic matches are exact; the baseline is
// exact-reference-only matching (a line is applied when its text holds a known transfer reference).
// Prints one JSON line (CONTRACT §5). Matching only: no payments are booked (no workflows run).
import { randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { luhnCheckDigit } from '../../lib/statements/check-digits';
import { loadNameIndex, matchLines } from '../../lib/reconcile/store';
import type { MatchLine } from '../../lib/reconcile/match';
import { startBenchEnv } from './servers';

export const RECONCILE_USAGE =
  '  reconcile  --lines N (100000)  --invoices N (1000000)  --per-debtor N (5)  --chunk N (2000)  --inflight N (3)  --threshold T (config default)';

const FIRST = [
  'Ana',
  'Luis',
  'María',
  'José',
  'Jorge',
  'Lucía',
  'Sofía',
  'Carlos',
  'Elena',
  'Raúl',
  'Marta',
  'Pablo',
  'Irene',
  'Tomás',
  'Rocío',
  'Iván',
  'Noemí',
  'Óscar',
  'Julián',
  'Beatriz',
];
const LAST = [
  'Hernández',
  'García',
  'Martínez',
  'López',
  'González',
  'Pérez',
  'Rodríguez',
  'Sánchez',
  'Ramírez',
  'Cruz',
  'Flores',
  'Gómez',
  'Morales',
  'Vázquez',
  'Reyes',
  'Jiménez',
  'Torres',
  'Díaz',
  'Gutiérrez',
  'Ruiz',
  'Mendoza',
  'Aguilar',
  'Ortiz',
  'Moreno',
  'Castillo',
  'Romero',
  'Álvarez',
  'Méndez',
  'Chávez',
  'Rivera',
  'Juárez',
  'Ramos',
  'Domínguez',
  'Herrera',
  'Medina',
  'Castro',
  'Vargas',
  'Guzmán',
  'Velázquez',
  'Muñoz',
  'Rojas',
  'Contreras',
  'Salazar',
  'Luna',
  'Ortega',
  'Santiago',
  'Guerrero',
  'Estrada',
  'Bautista',
  'Cortés',
];
const TRADE = [
  'Ferretería',
  'Abarrotes',
  'Taller',
  'Papelería',
  'Farmacia',
  'Comercializadora',
  'Distribuidora',
  'Refaccionaria',
  'Panadería',
  'Tortillería',
];

/** Debtor i's name: a person (two surnames) or a business with a trade word; deterministic, mostly unique. */
function nameOf(i: number): string {
  const a = FIRST[i % FIRST.length]!;
  const b = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  const c = LAST[Math.floor(i / (FIRST.length * LAST.length)) % LAST.length]!;
  const extra = Math.floor(i / (FIRST.length * LAST.length * LAST.length));
  const base = i % 3 === 0 ? `${TRADE[i % TRADE.length]} ${b} ${c}` : `${a} ${b} ${c}`;
  return extra > 0 ? `${base} ${LAST[extra % LAST.length]}` : base;
}
const NAMES_SQL = (
  i: string,
) => `case when ${i} % 3 = 0 then (array[${TRADE.map((t) => `'${t}'`).join(',')}])[${i} % ${TRADE.length} + 1]
  else (array[${FIRST.map((t) => `'${t}'`).join(',')}])[${i} % ${FIRST.length} + 1] end
  || ' ' || (array[${LAST.map((t) => `'${t}'`).join(',')}])[(${i} / ${FIRST.length}) % ${LAST.length} + 1]
  || ' ' || (array[${LAST.map((t) => `'${t}'`).join(',')}])[(${i} / ${FIRST.length * LAST.length}) % ${LAST.length} + 1]
  || case when ${i} / ${FIRST.length * LAST.length * LAST.length} > 0
       then ' ' || (array[${LAST.map((t) => `'${t}'`).join(',')}])[(${i} / ${FIRST.length * LAST.length * LAST.length}) % ${LAST.length} + 1] else '' end`;

const invoiceAmount = (j: number) => 50_000 + ((j * 7919) % 4_950_000);
const typo = (s: string) => {
  const at = 1 + randomInt(Math.max(1, s.length - 2));
  return s.slice(0, at) + s.slice(at + 1);
};
const stripAccents = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');

interface Truth {
  line: MatchLine;
  debtor: number | null;
}

export async function reconcileMain(values: Record<string, unknown>, log: (line: string) => void): Promise<number> {
  const num = (k: string, d: number) => {
    const v = values[k];
    const n = typeof v === 'string' ? Number(v) : d;
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${k} must be a positive number`);
    return n;
  };
  const lineCount = num('lines', 100_000);
  const invoiceCount = num('invoices', 1_000_000);
  const perDebtor = num('per-debtor', 5);
  const chunk = num('chunk', 2000);
  const debtorCount = Math.ceil(invoiceCount / perDebtor);
  const env = await startBenchEnv({ app: 'inprocess', logLevel: 'warn', nodeArgs: [], log });
  const threshold =
    typeof values.threshold === 'string' ? Number(values.threshold) : env.config.reconcile.autoThreshold;
  const { db } = env.db;
  // Invoice numbers as ERPs write them: digits (a series unique to this run, then the number).
  const run = String(randomInt(100, 1000));
  try {
    log(`generating ${debtorCount} debtors, accounts and ${invoiceCount} invoices in PostgreSQL`);
    const t0 = Date.now();
    await db.execute(
      sql.raw(`create temporary table bench_debtors as
      select i, gen_random_uuid() as debtor_id, gen_random_uuid() as account_id from generate_series(1, ${debtorCount}) i`),
    );
    await db.execute(
      sql.raw(`insert into debtors (id, external_id, kind, name, country)
      select debtor_id, 'RFC${run}' || lpad(i::text, 9, '0'), 'person', ${NAMES_SQL('i')}, 'MX' from bench_debtors`),
    );
    await db.execute(
      sql.raw(`insert into accounts (id, debtor_id, currency, workflow_id, status, stage, balance_minor)
      select b.account_id, b.debtor_id, 'MXN', 'bench-reconcile-${run}-' || b.i, 'active', 'early',
        (select sum(50000 + ((j * 7919) % 4950000)) from generate_series(((b.i - 1) * ${perDebtor} + 1)::bigint, least(b.i * ${perDebtor}, ${invoiceCount})::bigint) j)
      from bench_debtors b`),
    );
    await db.execute(
      sql.raw(`insert into invoices (external_id, account_id, debtor_id, amount_minor, currency, due_date, content_hash)
      select 'FAC-${run}-' || lpad(j::text, 7, '0'), b.account_id, b.debtor_id, 50000 + ((j * 7919) % 4950000), 'MXN',
        date '2026-01-01' + (j % 300)::int, 'bench'
      from generate_series(1::bigint, ${invoiceCount}::bigint) j join bench_debtors b on b.i = (j - 1) / ${perDebtor} + 1`),
    );
    // A third of the debtors were given a transfer reference (the portal shows it).
    const refs = new Map<number, string>();
    for (let i = 1; i <= debtorCount; i += 3) {
      const body = String(100_000_000 + ((i * 48271) % 900_000_000));
      refs.set(i, `${body}${luhnCheckDigit(body)}`);
    }
    const refRows = [...refs].map(([i, r]) => ({ i, r }));
    for (let k = 0; k < refRows.length; k += 20_000) {
      const part = refRows.slice(k, k + 20_000);
      await db.execute(sql`insert into transfer_references (reference, debtor_id, currency)
        select r, b.debtor_id, 'MXN' from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as x(i int, r text)
        join bench_debtors b on b.i = x.i on conflict do nothing`);
    }
    await db.execute(sql`analyze debtors; analyze accounts; analyze invoices; analyze transfer_references`);
    log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // The statement: every kind of line a bank shows, each with its true debtor (null: nobody's).
    const balance = (i: number) => {
      let s = 0;
      for (let j = (i - 1) * perDebtor + 1; j <= Math.min(i * perDebtor, invoiceCount); j++) s += invoiceAmount(j);
      return s;
    };
    const number = (j: number) => String(j).padStart(7, '0');
    const lines: Truth[] = [];
    const base = (amountMinor: number): MatchLine => ({
      amountMinor,
      currency: 'MXN',
      bookingDate: '2026-11-02',
      remittance: null,
      counterpartyName: null,
      counterpartyTaxId: null,
    });
    for (let k = 0; k < lineCount; k++) {
      const kind = k % 20;
      const i = 1 + randomInt(debtorCount);
      const j = (i - 1) * perDebtor + 1 + randomInt(perDebtor);
      if (kind < 6) {
        const ref = refs.get(i) ?? refs.get(i - ((i - 1) % 3)) ?? '';
        const owner = refs.has(i) ? i : i - ((i - 1) % 3);
        const written = kind % 2 === 0 ? ref : `${ref.slice(0, 4)} ${ref.slice(4)}`;
        lines.push({
          line: { ...base(kind < 4 ? balance(owner) : 123_45 + k), remittance: `SPEI PAGO REF ${written}` },
          debtor: owner,
        });
      } else if (kind < 12) {
        const forms = [
          `FAC-${run}-${number(j)}`,
          `F ${run} ${number(j)}`,
          `Factura No. ${run}-${number(j)}`,
          `PAGO FACT ${run}${number(j)}`,
        ];
        const amount = kind < 10 ? invoiceAmount(j) : Math.floor(invoiceAmount(j) / 2);
        lines.push({ line: { ...base(amount), remittance: `${forms[kind % forms.length]} GRACIAS` }, debtor: i });
      } else if (kind < 15) {
        const n = nameOf(i);
        const written =
          kind === 12 ? stripAccents(n).toUpperCase() : kind === 13 ? typo(n) : n.split(' ').reverse().join(' ');
        lines.push({
          line: { ...base(balance(i)), counterpartyName: written, remittance: 'SPEI RECIBIDO' },
          debtor: i,
        });
      } else if (kind < 17) {
        lines.push({
          line: {
            ...base(kind === 15 ? balance(i) : invoiceAmount(j)),
            counterpartyTaxId: `RFC${run}${String(i).padStart(9, '0')}`,
          },
          debtor: i,
        });
      } else if (kind === 17) {
        // A name alone with an amount that matches nothing: must wait.
        lines.push({ line: { ...base(777_00 + k), counterpartyName: nameOf(i) }, debtor: null });
      } else if (kind === 18) {
        // An invoice number that does not exist (a typo) and no other clue.
        lines.push({ line: { ...base(invoiceAmount(j)), remittance: `FAC ${run} 9${number(j)}9` }, debtor: null });
      } else {
        lines.push({ line: { ...base(10_000 + k), remittance: 'DEPOSITO EN EFECTIVO SUC 0451' }, debtor: null });
      }
    }
    const debtorIds = await db.execute<{ i: number; debtor_id: string }>(sql`select i, debtor_id from bench_debtors`);
    const idOf = new Map(debtorIds.map((r) => [Number(r.i), r.debtor_id]));
    const truthOf = (t: Truth) => (t.debtor === null ? null : (idOf.get(t.debtor) ?? null));

    log(`matching ${lines.length} lines (chunks of ${chunk}, threshold ${threshold})`);
    const started = Date.now();
    const names = await loadNameIndex(db, ['MXN']);
    const nameMs = Date.now() - started;
    let auto = 0;
    let correct = 0;
    let done = 0;
    // As the job would with several statements: a few chunks in flight (PostgreSQL and the matcher overlap).
    const starts = Array.from({ length: Math.ceil(lines.length / chunk) }, (_, n) => n * chunk);
    const worker = async () => {
      for (let k = starts.shift(); k !== undefined; k = starts.shift()) {
        const part = lines.slice(k, k + chunk);
        const { decisions } = await matchLines(
          db,
          part.map((p) => p.line),
          names,
          threshold,
        );
        decisions.forEach((d, x) => {
          if (d.decision.kind !== 'apply') return;
          auto += 1;
          if (d.decision.candidate.debtorId === truthOf(part[x]!)) correct += 1;
        });
        done += part.length;
        if ((done / chunk) % 10 === 0) log(`  ${done} lines, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    };
    await Promise.all(Array.from({ length: num('inflight', 3) }, worker));
    const seconds = (Date.now() - started) / 1000;
    const withTruth = lines.filter((l) => l.debtor !== null).length;

    // Baseline: exact transfer references only.
    const b0 = Date.now();
    let bAuto = 0;
    let bCorrect = 0;
    for (let k = 0; k < lines.length; k += chunk) {
      const part = lines.slice(k, k + chunk);
      const found = part.map((p) => /\b\d{10}\b/.exec(p.line.remittance ?? '')?.[0] ?? null);
      const wanted = [...new Set(found.filter((f) => f !== null))];
      const rows =
        wanted.length === 0
          ? []
          : await db.execute<{ reference: string; debtor_id: string }>(
              sql`select reference, debtor_id from transfer_references where reference = any(select v from jsonb_array_elements_text(${JSON.stringify(wanted)}::jsonb) as t(v))`,
            );
      const owner = new Map(rows.map((r) => [r.reference, r.debtor_id]));
      part.forEach((p, x) => {
        const o = found[x] ? owner.get(found[x]) : undefined;
        if (!o) return;
        bAuto += 1;
        if (o === truthOf(p)) bCorrect += 1;
      });
    }
    const baselineSeconds = (Date.now() - b0) / 1000;
    const round = (n: number) => Math.round(n * 10_000) / 10_000;
    const result = {
      bench: 'reconcile',
      lines: lines.length,
      invoices: invoiceCount,
      debtors: debtorCount,
      threshold,
      seconds: Math.round(seconds * 10) / 10,
      name_index_seconds: Math.round(nameMs / 100) / 10,
      rate: Math.round(lines.length / seconds),
      automatic: auto,
      precision: round(auto === 0 ? 0 : correct / auto),
      recall: round(correct / withTruth),
      baseline_seconds: Math.round(baselineSeconds * 10) / 10,
      baseline_automatic: bAuto,
      baseline_precision: round(bAuto === 0 ? 0 : bCorrect / bAuto),
      baseline_recall: round(bCorrect / withTruth),
      ratio: round(bCorrect === 0 ? 0 : correct / bCorrect),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await env.stop();
  }
}
