// Strategy definitions (CONTRACT §3): schema, cross-field validation with paths, and normalization
// into the plain data the decision core runs.
import { z } from 'zod';
import type { NormalizedStrategy } from './core/types';
import { packFor, packLimits } from './jurisdictions';
import { templateExists, templateSyntaxError } from './templates';
import { formatPath, issuesToErrors } from './validation-errors';
import type { FieldError } from './validation-errors';

export const MESSAGE_CHANNELS = ['email', 'whatsapp', 'sms', 'letter'] as const;
export const TASK_CHANNELS = ['call', 'visit'] as const;
const ALL_CHANNELS: readonly string[] = [...MESSAGE_CHANNELS, ...TASK_CHANNELS];

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal string like "100.00"');
const count = z.int().min(0);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:mm"');

const stepSchema = z.strictObject({
  day: z.int(),
  action: z.enum(['message', 'task']),
  channel: z.string(),
  template: z.string().optional(),
  fallback: z.string().optional(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
  time: hhmm.optional(),
  when: z
    .strictObject({
      minBalance: decimal.optional(),
      maxBalance: decimal.optional(),
      minDaysPastDue: z.int().optional(),
      minBrokenPromises: count.optional(),
    })
    .optional(),
});

const stageSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected letters, digits, "-" or "_"'),
  kind: z.enum(['preventive', 'administrative', 'prelegal', 'legal', 'writeoff', 'custom']),
  fromDay: z.int(),
  terminal: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'expected a status like "legal_handoff"')
    .optional(),
  /** Days the account stays in this stage before a later one is entered by schedule. */
  minDays: z.int().min(0).max(3650).optional(),
  steps: z.array(stepSchema).optional(),
});

const templateSchema = z.strictObject({ subject: z.string().optional(), body: z.string() });

export const strategySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected letters, digits, "-" or "_"'),
  name: z.string().min(1),
  description: z.string().optional(),
  version: z.int().min(1).optional(),
  jurisdiction: z.string().regex(/^([A-Z]{2}|default)$/, 'expected an ISO 3166 country code or "default"'),
  contact: z
    .strictObject({
      maxPerWeek: z.record(z.string(), count).optional(),
      maxPerDay: count.optional(),
      minHoursBetween: z.number().min(0).optional(),
    })
    .optional(),
  promise: z.strictObject({ maxDaysAhead: count, minPercent: z.number().min(0).max(100), graceDays: count }).optional(),
  plan: z
    .strictObject({
      maxInstallments: z.int().min(1),
      minDownPaymentPercent: z.number().min(0).max(100),
      monthlyInterestPercent: z.number().min(0).max(100),
      graceDays: count,
    })
    .optional(),
  stages: z.array(stageSchema).min(1),
  escalations: z
    .array(
      z.strictObject({
        when: z.strictObject({
          brokenPromises: count.optional(),
          unansweredContacts: count.optional(),
          minDaysPastDue: z.int().optional(),
          minBalance: decimal.optional(),
        }),
        goTo: z.string(),
      }),
    )
    .optional(),
  templates: z.record(z.string(), z.record(z.string(), templateSchema)).optional(),
});

export type StrategyDefinition = z.infer<typeof strategySchema>;

export type StrategyValidation = { ok: true; strategy: NormalizedStrategy } | { ok: false; errors: FieldError[] };

function checkStages(def: StrategyDefinition, errors: FieldError[]): void {
  const seen = new Set<string>();
  def.stages.forEach((stage, i) => {
    const at = (...rest: PropertyKey[]) => formatPath(['stages', i, ...rest]);
    if (seen.has(stage.id)) errors.push({ path: at('id'), message: `duplicate stage id "${stage.id}"` });
    seen.add(stage.id);
    const previous = def.stages[i - 1];
    if (previous && stage.fromDay <= previous.fromDay)
      errors.push({
        path: at('fromDay'),
        message: `must be greater than the previous stage's fromDay (${previous.fromDay})`,
      });
    if (stage.terminal && stage.steps && stage.steps.length > 0)
      errors.push({ path: at('steps'), message: 'a terminal stage hands the account off and cannot have steps' });
    if (stage.terminal && stage.minDays !== undefined)
      errors.push({ path: at('minDays'), message: 'a terminal stage hands the account off; nothing follows it' });
    (stage.steps ?? []).forEach((step, j) => {
      const stepAt = (field: string) => at('steps', j, field);
      const before = stage.steps?.[j - 1];
      if (step.day < stage.fromDay)
        errors.push({ path: stepAt('day'), message: `must be on or after the stage's fromDay (${stage.fromDay})` });
      if (before && step.day < before.day)
        errors.push({
          path: stepAt('day'),
          message: `steps must be listed in day order (previous step is day ${before.day})`,
        });
      const allowed: readonly string[] = step.action === 'message' ? MESSAGE_CHANNELS : TASK_CHANNELS;
      if (!allowed.includes(step.channel))
        errors.push({
          path: stepAt('channel'),
          message: `unknown ${step.action} channel "${step.channel}" (expected ${allowed.join(', ')})`,
        });
      if (step.fallback !== undefined && (!allowed.includes(step.fallback) || step.fallback === step.channel)) {
        errors.push({ path: stepAt('fallback'), message: `unknown or repeated fallback channel "${step.fallback}"` });
      }
      if (step.action === 'message' && step.template === undefined)
        errors.push({ path: stepAt('template'), message: 'a message step needs a template' });
      if (step.template !== undefined && !templateExists({ templates: def.templates ?? {} }, step.template)) {
        errors.push({ path: stepAt('template'), message: `unknown template "${step.template}"` });
      }
    });
  });
  (def.escalations ?? []).forEach((rule, i) => {
    if (!seen.has(rule.goTo))
      errors.push({ path: formatPath(['escalations', i, 'goTo']), message: `unknown stage "${rule.goTo}"` });
    if (Object.keys(rule.when).length === 0)
      errors.push({ path: formatPath(['escalations', i, 'when']), message: 'needs at least one condition' });
  });
}

function checkContactAgainstPack(def: StrategyDefinition, onDate: string, errors: FieldError[]): void {
  const contact = def.contact ?? {};
  const limits = packLimits(packFor(def.jurisdiction, onDate));
  if (contact.maxPerDay !== undefined && limits.maxPerDay !== undefined && contact.maxPerDay > limits.maxPerDay) {
    errors.push({
      path: 'contact.maxPerDay',
      message: `looser than the ${def.jurisdiction} pack (at most ${limits.maxPerDay})`,
    });
  }
  for (const [channel, max] of Object.entries(contact.maxPerWeek ?? {})) {
    const path = formatPath(['contact', 'maxPerWeek', channel]);
    if (!ALL_CHANNELS.includes(channel)) errors.push({ path, message: `unknown channel "${channel}"` });
    const packMax = limits.maxPerWeek[channel];
    if (packMax !== undefined && max > packMax)
      errors.push({ path, message: `looser than the ${def.jurisdiction} pack (at most ${packMax} per week)` });
  }
  if (
    limits.minHoursBetween !== undefined &&
    contact.minHoursBetween !== undefined &&
    contact.minHoursBetween < limits.minHoursBetween
  ) {
    errors.push({
      path: 'contact.minHoursBetween',
      message: `looser than the ${def.jurisdiction} pack (at least ${limits.minHoursBetween})`,
    });
  }
}

function checkTemplates(def: StrategyDefinition, errors: FieldError[]): void {
  for (const [name, variants] of Object.entries(def.templates ?? {})) {
    for (const [locale, content] of Object.entries(variants)) {
      for (const field of ['subject', 'body'] as const) {
        const source = content[field];
        const problem = source === undefined ? null : templateSyntaxError(source);
        if (problem)
          errors.push({ path: formatPath(['templates', name, locale, field]), message: `template syntax: ${problem}` });
      }
    }
  }
}

function hasAtMostTwoDecimals(value: number): boolean {
  return Math.abs(Math.round(value * 100) - value * 100) < 1e-9;
}

export function normalize(def: StrategyDefinition): NormalizedStrategy {
  const plan = def.plan ?? { maxInstallments: 6, minDownPaymentPercent: 10, monthlyInterestPercent: 0, graceDays: 3 };
  return {
    id: def.id,
    name: def.name,
    jurisdiction: def.jurisdiction,
    contact: { ...def.contact },
    promise: def.promise ?? { maxDaysAhead: 15, minPercent: 30, graceDays: 1 },
    plan: {
      maxInstallments: plan.maxInstallments,
      minDownPaymentPercent: plan.minDownPaymentPercent,
      monthlyInterestBasisPoints: Math.round(plan.monthlyInterestPercent * 100),
      graceDays: plan.graceDays,
    },
    stages: def.stages.map((s) => ({
      id: s.id,
      kind: s.kind,
      fromDay: s.fromDay,
      ...(s.terminal ? { terminal: s.terminal } : {}),
      ...(s.minDays ? { minDays: s.minDays } : {}),
      steps: (s.steps ?? []).map((step) => ({ ...step })),
    })),
    escalations: (def.escalations ?? []).map((e) => ({ when: { ...e.when }, goTo: e.goTo })),
    templates: def.templates ?? {},
  };
}

/**
 * Validates a strategy definition. `onDate` (YYYY-MM-DD) picks the jurisdiction pack version the
 * contact block is compared against; defaults to the latest version.
 */
export function validateStrategy(
  input: unknown,
  options: { onDate?: string; pathPrefix?: readonly PropertyKey[] } = {},
): StrategyValidation {
  const prefix = options.pathPrefix ?? [];
  const parsed = strategySchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error.issues, prefix) };
  const def = parsed.data;
  const errors: FieldError[] = [];
  checkStages(def, errors);
  checkContactAgainstPack(def, options.onDate ?? '9999-12-31', errors);
  checkTemplates(def, errors);
  const percents: [string, number | undefined][] = [
    ['promise.minPercent', def.promise?.minPercent],
    ['plan.minDownPaymentPercent', def.plan?.minDownPaymentPercent],
    ['plan.monthlyInterestPercent', def.plan?.monthlyInterestPercent],
  ];
  for (const [path, percent] of percents) {
    if (percent !== undefined && !hasAtMostTwoDecimals(percent))
      errors.push({ path, message: 'percentages take at most two decimals' });
  }
  if (errors.length > 0) {
    const prefixText = formatPath(prefix);
    return {
      ok: false,
      errors: errors.map((e) => ({ ...e, path: prefixText ? `${prefixText}.${e.path}`.replace('.[', '[') : e.path })),
    };
  }
  return { ok: true, strategy: normalize(def) };
}
