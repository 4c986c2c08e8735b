// The draft's KPIs against the published version's over one generated portfolio (POST
// /v1/strategies/{id}/portfolio-simulation): the API's figures side by side, per currency, with the difference.
import { Alert, Button, Card, Group, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { money } from '../../lib/format';
import type { Definition } from './definition';
import { ProblemList } from './SimulationPreview';

type Kpi = Record<string, unknown> & { currency: string };
const RATES = ['recoveryRate', 'keptRate', 'rpcRate'] as const;
const MONEY = ['collected', 'placed'] as const;
const COUNTS = ['attempts', 'promises', 'promisesKept', 'promisesBroken', 'accounts'] as const;

/** a − b of two decimal strings, exactly (BigInt over the longer scale). */
export function decimalDiff(a: string, b: string): string {
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const units = (d: string) => {
    const [int = '0', frac = ''] = d.split('.');
    return BigInt(int + frac.padEnd(scale, '0'));
  };
  const diff = units(a) - units(b);
  const abs = (diff < 0n ? -diff : diff).toString().padStart(scale + 1, '0');
  const out = scale ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs;
  return `${diff < 0n ? '−' : '+'}${out}`;
}

function Row({ name, draft, published }: { name: string; draft: Kpi; published: Kpi | undefined }) {
  const { t, i18n } = useTranslation();
  const pct = new Intl.NumberFormat(i18n.language === 'en' ? 'en-US' : 'es-MX', {
    style: 'percent',
    maximumFractionDigits: 1,
  });
  const a = draft[name];
  const b = published?.[name];
  let cells: [string, string, string];
  if ((RATES as readonly string[]).includes(name)) {
    const show = (v: unknown) => (typeof v === 'number' ? pct.format(v) : '—');
    const delta =
      typeof a === 'number' && typeof b === 'number'
        ? `${a >= b ? '+' : '−'}${(Math.abs(a - b) * 100).toFixed(1)} pp`
        : '—';
    cells = [show(a), show(b), delta];
  } else if ((MONEY as readonly string[]).includes(name)) {
    const show = (v: unknown) => (typeof v === 'string' ? money(v, draft.currency) : '—');
    cells = [show(a), show(b), typeof a === 'string' && typeof b === 'string' ? decimalDiff(a, b) : '—'];
  } else {
    const show = (v: unknown) => (typeof v === 'number' ? String(v) : '—');
    cells = [
      show(a),
      show(b),
      typeof a === 'number' && typeof b === 'number' ? `${a >= b ? '+' : '−'}${Math.abs(a - b)}` : '—',
    ];
  }
  return (
    <Table.Tr data-kpi={name}>
      <Table.Th scope="row">{t(`strategies.portfolioSim.kpis.${name}`)}</Table.Th>
      {cells.map((c, i) => (
        <Table.Td key={i}>{c}</Table.Td>
      ))}
    </Table.Tr>
  );
}

export default function PortfolioPanel({ strategyId, def }: { strategyId: string; def: Definition | null }) {
  const { t } = useTranslation();
  const [sampleSize, setSampleSize] = useState<number>(100);
  const [seed, setSeed] = useState<number>(1);
  const run = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/strategies/{id}/portfolio-simulation', {
          params: { path: { id: strategyId } },
          body: { definition: def ?? {}, sampleSize, seed },
        }),
      ),
  });
  const data = run.data;
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {t('strategies.portfolioSim.title')}
      </Title>
      <Group align="flex-end">
        <NumberInput
          label={t('strategies.portfolioSim.sampleSize')}
          min={1}
          max={300}
          value={sampleSize}
          onChange={(v) => setSampleSize(typeof v === 'number' ? v : 100)}
          w={160}
        />
        <NumberInput
          label={t('strategies.portfolioSim.seed')}
          min={0}
          value={seed}
          onChange={(v) => setSeed(typeof v === 'number' ? v : 1)}
          w={120}
        />
        <Button onClick={() => run.mutate()} loading={run.isPending} disabled={!def}>
          {t('strategies.portfolioSim.run')}
        </Button>
      </Group>
      <Stack gap="xs" mt="sm" aria-live="polite" aria-busy={run.isPending} data-testid="portfolio-simulation">
        {run.isPending && <Text size="sm">{t('strategies.portfolioSim.running')}</Text>}
        {run.isError && (
          <Alert color="red" role="alert">
            <ProblemList error={run.error} />
          </Alert>
        )}
        {data && !run.isPending && (
          <>
            <Text size="sm">
              {t('strategies.portfolioSim.portfolio', {
                accounts: data.portfolio.accounts,
                seed: data.portfolio.seed ?? '—',
                from: data.portfolio.from,
                to: data.portfolio.to,
              })}
            </Text>
            {(data.draft.kpis as Kpi[]).map((draft) => {
              const published = (data.published.kpis as Kpi[]).find((k) => k.currency === draft.currency);
              return (
                <Table key={draft.currency} data-testid={`portfolio-kpis-${draft.currency}`}>
                  <Table.Caption style={{ color: 'var(--mantine-color-gray-8)' }}>{draft.currency}</Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('strategies.portfolioSim.kpi')}</Table.Th>
                      <Table.Th scope="col">{t('strategies.portfolioSim.draft')}</Table.Th>
                      <Table.Th scope="col">
                        {t('strategies.portfolioSim.published', { version: data.published.version })}
                      </Table.Th>
                      <Table.Th scope="col">{t('strategies.portfolioSim.delta')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {[...RATES, ...MONEY, ...COUNTS].map((name) => (
                      <Row key={name} name={name} draft={draft} published={published} />
                    ))}
                  </Table.Tbody>
                </Table>
              );
            })}
          </>
        )}
      </Stack>
    </Card>
  );
}
