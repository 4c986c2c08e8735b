// The strategy definition as the editor reads it (loosely typed: a draft may be anything while it is typed),
// and the sample debtor every preview runs.
export interface Step {
  day?: number;
  action?: string;
  channel?: string;
  template?: string;
  priority?: string;
}
export interface Stage {
  id?: string;
  kind?: string;
  fromDay?: number;
  steps?: Step[];
}
export interface Definition {
  id?: string;
  name?: string;
  promise?: { maxDaysAhead?: number; minPercent?: number; graceDays?: number };
  stages?: Stage[];
  [k: string]: unknown;
}

export function parse(text: string): { def: Definition | null; error: string | null } {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v && !Array.isArray(v)
      ? { def: v as Definition, error: null }
      : { def: null, error: 'not an object' };
  } catch (err) {
    return { def: null, error: (err as Error).message };
  }
}

/**
 * The sample debtor (CONTRACT §4 scenario, times local to Mexico City): 1,500.00 MXN due on 2026-03-06; on day
 * 10 she promises it all for day 17, pays 500.00 on day 16, so the promise breaks; simulated for 100 days.
 */
export const SAMPLE = {
  amount: '1500.00',
  currency: 'MXN',
  dueDate: '2026-03-06',
  promiseDay: 10,
  paid: '500.00',
} as const;

export const sampleScenario = {
  start: '2026-03-02T08:00:00',
  until: '2026-06-10T00:00:00',
  debtor: {
    externalId: 'MUESTRA-1',
    name: 'Ana Pérez',
    kind: 'person',
    country: 'MX',
    email: 'ana@example.com',
    phone: '+525512345678',
  },
  invoices: [{ externalId: 'F-1', amount: SAMPLE.amount, currency: SAMPLE.currency, dueDate: SAMPLE.dueDate }],
  events: [
    { at: '2026-03-16T10:00:00', type: 'promise', amount: SAMPLE.amount, dueDate: '2026-03-23' },
    { at: '2026-03-22T12:00:00', type: 'payment', amount: SAMPLE.paid, reference: 'MUESTRA-P1' },
  ],
};

/** An API field error on the `definition` body field, named as the editor names its paths. */
export function editorPath(field: string): string {
  return field.replace(/^definition\.?/, '') || '(definition)';
}
