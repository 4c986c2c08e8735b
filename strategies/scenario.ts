// Scenario input of `npm run simulate` (CONTRACT §4): schema, and conversion to engine data.
// Times without an offset are the debtor's local time.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { currencyDigits, parseMinor } from './core/money';
import type { EngineEvent, NormalizedStrategy } from './core/types';
import { builtinStrategy } from './builtin/index';
import { validateStrategy } from './definition';
import { mainZone } from './jurisdictions';
import { formatPath, issuesToErrors } from './validation-errors';
import type { FieldError } from './validation-errors';

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal string like "1500.00"');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected "YYYY-MM-DD"');
const when = z.string().min(10);
const at = { at: when };

const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...at,
    type: z.literal('invoice'),
    externalId: z.string().min(1),
    amount: decimal,
    currency: z.string().regex(/^[A-Z]{3}$/),
    dueDate: date,
  }),
  z.strictObject({ ...at, type: z.literal('payment'), amount: decimal, reference: z.string().min(1) }),
  z.strictObject({
    ...at,
    type: z.literal('payment_reversed'),
    reference: z.string().min(1),
    amount: decimal,
    reversalId: z.string().min(1).optional(),
  }),
  z.strictObject({ ...at, type: z.literal('promise'), amount: decimal, dueDate: date }),
  z.strictObject({
    ...at,
    type: z.literal('plan'),
    installments: z.array(z.strictObject({ amount: decimal, dueDate: date })).min(1),
  }),
  z.strictObject({
    ...at,
    type: z.literal('dispute'),
    reason: z.string().min(1),
    invoiceExternalId: z.string().optional(),
  }),
  z.strictObject({
    ...at,
    type: z.literal('dispute_resolved'),
    outcome: z.enum(['upheld', 'rejected']),
    adjustment: decimal.optional(),
  }),
  z.strictObject({ ...at, type: z.literal('pause') }),
  z.strictObject({ ...at, type: z.literal('resume') }),
  z.strictObject({ ...at, type: z.literal('opt_out'), channel: z.string().min(1) }),
  z.strictObject({ ...at, type: z.literal('contact_outcome'), channel: z.string().min(1), outcome: z.string().min(1) }),
  z.strictObject({ ...at, type: z.literal('reply'), channel: z.string().min(1), text: z.string() }),
  z.strictObject({ ...at, type: z.literal('write_off'), amount: decimal, reason: z.string().min(1) }),
  z.strictObject({ ...at, type: z.literal('recall') }),
]);

export const scenarioSchema = z.strictObject({
  start: when,
  until: when,
  strategy: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  accountId: z.string().optional(),
  debtor: z.strictObject({
    externalId: z.string().min(1),
    name: z.string().min(1),
    kind: z.enum(['person', 'company']),
    country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 country code'),
    timezone: z.string().optional(),
    locale: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
  }),
  invoices: z
    .array(
      z.strictObject({
        externalId: z.string().min(1),
        amount: decimal,
        currency: z.string().regex(/^[A-Z]{3}$/),
        dueDate: date,
        issuedAt: z.string().optional(),
      }),
    )
    .min(1),
  events: z.array(eventSchema).optional(),
});

export type ScenarioInput = z.infer<typeof scenarioSchema>;

export interface Scenario {
  accountId: string;
  zone: string;
  country: string;
  currency: string;
  start: number;
  until: number;
  strategy: NormalizedStrategy;
  /** 1 for a built-in or inline strategy; the published version's number when the scenario named one. */
  strategyVersion?: number;
  channels: { email: boolean; whatsapp: boolean };
  invoices: Extract<EngineEvent, { type: 'invoice' }>[];
  /** Sorted by time; events at the same instant keep their listed order. */
  events: { at: number; event: EngineEvent }[];
}

export type ScenarioParse = { ok: true; scenario: Scenario } | { ok: false; errors: FieldError[] };

function isValidZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

function toInstant(text: string, zone: string): number | null {
  const dt = DateTime.fromISO(text, { zone });
  return dt.isValid ? dt.toMillis() : null;
}

/** `consumer-mx@2` names a published version; the caller fetches it (the core reads no store). */
export function publishedVersionRef(strategy: unknown): { id: string; version: number } | null {
  if (typeof strategy !== 'string') return null;
  const match = /^([^@\s]+)@([1-9]\d{0,8})$/.exec(strategy);
  return match?.[1] && match[2] ? { id: match[1], version: Number(match[2]) } : null;
}

export function resolveStrategy(input: ScenarioInput['strategy'], errors: FieldError[]): NormalizedStrategy | null {
  if (typeof input === 'string') {
    if (publishedVersionRef(input)) {
      errors.push({
        path: 'strategy',
        message: `"${input}" is a published version: npm run simulate reads it from the API (COLLECTIONS_API_URL, COLLECTIONS_API_KEY)`,
      });
      return null;
    }
    const builtin = builtinStrategy(input);
    if (!builtin) errors.push({ path: 'strategy', message: `unknown built-in strategy "${input}"` });
    return builtin;
  }
  const result = validateStrategy(input, { pathPrefix: ['strategy'] });
  if (!result.ok) {
    errors.push(...result.errors);
    return null;
  }
  return result.strategy;
}

export function parseScenario(
  json: unknown,
  /** `strategy`: already resolved (a portfolio resolves its shared strategy once). */
  opts: { strategyVersion?: number; strategy?: NormalizedStrategy } = {},
): ScenarioParse {
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error.issues) };
  const input = parsed.data;
  const errors: FieldError[] = [];
  const zone = input.debtor.timezone ?? mainZone(input.debtor.country);
  if (!isValidZone(zone)) errors.push({ path: 'debtor.timezone', message: `unknown time zone "${zone}"` });
  const strategy = opts.strategy ?? resolveStrategy(input.strategy, errors);
  const currency = input.invoices[0]?.currency ?? 'XXX';
  const digits = currencyDigits(currency);
  const amount = (text: string, path: PropertyKey[]): number => {
    const minor = parseMinor(text, digits);
    if (minor === null) errors.push({ path: formatPath(path), message: `not a valid ${currency} amount` });
    return minor ?? 0;
  };
  const instant = (text: string, path: PropertyKey[]): number => {
    const ms = isValidZone(zone) ? toInstant(text, zone) : null;
    if (ms === null) errors.push({ path: formatPath(path), message: 'expected an ISO date-time' });
    return ms ?? 0;
  };
  const start = instant(input.start, ['start']);
  const until = instant(input.until, ['until']);
  if (until < start) errors.push({ path: 'until', message: 'must not be before start' });
  const invoices = input.invoices.map((inv, i) => {
    if (inv.currency !== currency)
      errors.push({
        path: formatPath(['invoices', i, 'currency']),
        message: `all invoices of an account share one currency (${currency})`,
      });
    return {
      type: 'invoice' as const,
      externalId: inv.externalId,
      amountMinor: amount(inv.amount, ['invoices', i, 'amount']),
      currency: inv.currency,
      dueDate: inv.dueDate,
    };
  });
  const events = (input.events ?? []).map((e, i) => {
    const path = (...rest: PropertyKey[]) => ['events', i, ...rest];
    const t = instant(e.at, path('at'));
    if (t < start) errors.push({ path: formatPath(path('at')), message: 'is before the scenario start' });
    let event: EngineEvent;
    switch (e.type) {
      case 'invoice':
        if (e.currency !== currency)
          errors.push({
            path: formatPath(path('currency')),
            message: `all invoices of an account share one currency (${currency})`,
          });
        event = {
          type: 'invoice',
          externalId: e.externalId,
          amountMinor: amount(e.amount, path('amount')),
          currency: e.currency,
          dueDate: e.dueDate,
        };
        break;
      case 'payment':
        event = { type: 'payment', amountMinor: amount(e.amount, path('amount')), reference: e.reference, paidAt: t };
        break;
      case 'payment_reversed':
        event = {
          type: 'payment_reversed',
          reference: e.reference,
          amountMinor: amount(e.amount, path('amount')),
          ...(e.reversalId !== undefined ? { reversalId: e.reversalId } : {}),
        };
        break;
      case 'promise':
        event = { type: 'promise', amountMinor: amount(e.amount, path('amount')), dueDate: e.dueDate };
        break;
      case 'plan':
        event = {
          type: 'plan',
          installments: e.installments.map((p, j) => ({
            amountMinor: amount(p.amount, path('installments', j, 'amount')),
            dueDate: p.dueDate,
          })),
        };
        break;
      case 'dispute_resolved':
        event = {
          type: 'dispute_resolved',
          outcome: e.outcome,
          ...(e.adjustment !== undefined ? { adjustmentMinor: amount(e.adjustment, path('adjustment')) } : {}),
        };
        break;
      case 'write_off':
        event = { type: 'write_off', amountMinor: amount(e.amount, path('amount')), reason: e.reason };
        break;
      case 'recall':
        event = { type: 'recall' };
        break;
      case 'dispute':
      case 'pause':
      case 'resume':
      case 'opt_out':
      case 'contact_outcome':
      case 'reply': {
        const { at: _at, ...rest } = e;
        event = rest;
        break;
      }
    }
    return { at: t, index: i, event };
  });
  if (errors.length > 0 || !strategy) return { ok: false, errors };
  events.sort((a, b) => a.at - b.at || a.index - b.index);
  return {
    ok: true,
    scenario: {
      accountId: input.accountId ?? input.debtor.externalId,
      zone,
      country: input.debtor.country,
      currency,
      start,
      until,
      strategy,
      strategyVersion: opts.strategyVersion ?? 1,
      channels: { email: Boolean(input.debtor.email), whatsapp: Boolean(input.debtor.phone) },
      invoices,
      events: events.map(({ at: t, event }) => ({ at: t, event })),
    },
  };
}
