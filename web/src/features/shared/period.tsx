// The period picker the supervisor pages share (local dates, both included), kept in the URL.
import { Group, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

function isoDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function usePeriod(days = 30): { from: string; to: string; set(from: string, to: string): void } {
  const [params, setParams] = useSearchParams();
  const today = new Date();
  const from = params.get('from') ?? isoDay(new Date(today.getTime() - (days - 1) * 86_400_000));
  const to = params.get('to') ?? isoDay(today);
  return {
    from,
    to,
    set(f, t) {
      const next = new URLSearchParams(params);
      next.set('from', f);
      next.set('to', t);
      setParams(next, { replace: true });
    },
  };
}

export function PeriodPicker({
  period,
  fieldError,
}: {
  period: ReturnType<typeof usePeriod>;
  /** The API's message for `from` or `to`, shown beside it. */
  fieldError?: (field: 'from' | 'to') => string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" role="group" aria-label={t('dashboard.period')}>
      <TextInput
        type="date"
        label={t('common.from')}
        value={period.from}
        error={fieldError?.('from')}
        onChange={(e) => e.currentTarget.value && period.set(e.currentTarget.value, period.to)}
      />
      <TextInput
        type="date"
        label={t('common.to')}
        value={period.to}
        error={fieldError?.('to')}
        onChange={(e) => e.currentTarget.value && period.set(period.from, e.currentTarget.value)}
      />
    </Group>
  );
}

export const percent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`;
