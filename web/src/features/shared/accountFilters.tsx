// The filters of GET /v1/accounts (and of its Excel export), as a form whose values live in the URL.
import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

export const FILTER_KEYS = [
  'status',
  'stage',
  'strategyId',
  'assignedAgentId',
  'currency',
  'minBalance',
  'maxBalance',
  'minDaysPastDue',
  'maxDaysPastDue',
] as const;

export type AccountFilters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

export function useAccountFilters(): [AccountFilters, (f: AccountFilters) => void] {
  const [params, setParams] = useSearchParams();
  const filters: AccountFilters = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) filters[k] = v;
  }
  return [filters, (f) => setParams(new URLSearchParams(f), { replace: true })];
}

/** The list's query: numbers as numbers, empty filters left out. */
export function listQuery(f: AccountFilters) {
  const n = (v?: string) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  return {
    ...(f.status ? { status: f.status } : {}),
    ...(f.stage ? { stage: f.stage } : {}),
    ...(f.strategyId ? { strategyId: f.strategyId } : {}),
    ...(f.assignedAgentId ? { assignedAgentId: f.assignedAgentId } : {}),
    ...(f.currency ? { currency: f.currency } : {}),
    ...(f.minBalance ? { minBalance: f.minBalance } : {}),
    ...(f.maxBalance ? { maxBalance: f.maxBalance } : {}),
    ...(n(f.minDaysPastDue) !== undefined ? { minDaysPastDue: n(f.minDaysPastDue) } : {}),
    ...(n(f.maxDaysPastDue) !== undefined ? { maxDaysPastDue: n(f.maxDaysPastDue) } : {}),
  };
}

export function FilterForm({
  filters,
  onApply,
  fieldError,
}: {
  filters: AccountFilters;
  onApply: (f: AccountFilters) => void;
  fieldError: (field: string) => string | undefined;
}) {
  const { t } = useTranslation();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next: AccountFilters = {};
    for (const k of FILTER_KEYS) {
      const v = form.get(k);
      if (typeof v === 'string' && v.trim()) next[k] = v.trim();
    }
    onApply(next);
  };
  const input = (name: (typeof FILTER_KEYS)[number], label: string) => (
    <TextInput
      key={`${name}-${filters[name] ?? ''}`}
      name={name}
      label={label}
      defaultValue={filters[name] ?? ''}
      error={fieldError(name)}
      w={150}
    />
  );
  return (
    <form onSubmit={submit} aria-label={t('distribution.filters')}>
      <Group align="flex-end" gap="xs">
        <NativeSelect
          key={`status-${filters.status ?? ''}`}
          name="status"
          label={t('common.status')}
          defaultValue={filters.status ?? ''}
          data={['', 'active', 'paused', 'disputed', 'paid', 'written_off', 'legal_handoff']}
          error={fieldError('status')}
        />
        {input('stage', t('common.stage'))}
        {input('strategyId', t('common.strategy'))}
        {input('assignedAgentId', t('common.agent'))}
        {input('currency', t('common.currency'))}
        {input('minBalance', t('portfolio.minBalance'))}
        {input('maxBalance', t('portfolio.maxBalance'))}
        {input('minDaysPastDue', t('portfolio.minDpd'))}
        {input('maxDaysPastDue', t('portfolio.maxDpd'))}
        <Button type="submit">{t('common.search')}</Button>
      </Group>
    </form>
  );
}
