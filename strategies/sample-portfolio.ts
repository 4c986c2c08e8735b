// A generated portfolio for portfolio simulations when the strategist gives none: deterministic for a seed
// (the draft and the published version see the very same accounts), Mexican consumer debts in MXN whose
// debtors behave in a few typical ways (pay at once, pay late, promise and keep, promise and break, never pay).
import { DateTime } from 'luxon';

/** mulberry32: a small seeded PRNG, so a sample is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleOptions {
  size: number;
  seed: number;
  /** Local date-time the simulation starts (the debtors' zone); default 2026-03-02T08:00:00. */
  start?: string;
  days?: number;
}

/** The portfolio input (CONTRACT §6) without its strategy: accounts with invoices and the debtor's behaviour. */
export function samplePortfolio(o: SampleOptions): {
  start: string;
  until: string;
  accounts: Record<string, unknown>[];
} {
  const rand = prng(o.seed);
  const start = DateTime.fromISO(o.start ?? '2026-03-02T08:00:00', { zone: 'America/Mexico_City' });
  const until = start.plus({ days: o.days ?? 60 });
  const local = (dt: DateTime) => dt.toFormat("yyyy-MM-dd'T'HH:mm:ss");
  const accounts = Array.from({ length: o.size }, (_, i) => {
    const cents = 50_000 + Math.floor(rand() * 1_950_000);
    const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    const dueDate = start.minus({ days: Math.floor(rand() * 45) }).toISODate();
    const at = (day: number) => local(start.plus({ days: day, hours: 3 }));
    const kind = rand();
    const events: Record<string, unknown>[] = [];
    if (kind < 0.2) events.push({ at: at(1 + Math.floor(rand() * 5)), type: 'payment', amount, reference: `s${i}-1` });
    else if (kind < 0.4)
      events.push({ at: at(10 + Math.floor(rand() * 30)), type: 'payment', amount, reference: `s${i}-1` });
    else if (kind < 0.6) {
      const day = 3 + Math.floor(rand() * 10);
      const promiseDue = start.plus({ days: day + 7 }).toISODate();
      events.push({ at: at(day), type: 'promise', amount, dueDate: promiseDue });
      events.push({ at: at(day + 6), type: 'payment', amount, reference: `s${i}-1` });
    } else if (kind < 0.75) {
      const day = 3 + Math.floor(rand() * 10);
      events.push({ at: at(day), type: 'promise', amount, dueDate: start.plus({ days: day + 7 }).toISODate() });
    }
    return {
      debtor: { externalId: `sample-${i + 1}`, name: `Deudor ${i + 1}`, kind: 'person', country: 'MX' },
      invoices: [{ externalId: `sample-inv-${i + 1}`, amount, currency: 'MXN', dueDate }],
      events,
    };
  });
  return { start: local(start), until: local(until), accounts };
}
