// The supervisor's dashboard: recovery, promise-kept and right-party contact for the chosen period (grouped as
// asked), aging buckets, roll rates, channels and agents; charts (ECharts, lazy) and each formula on hover/focus.
import {
  Alert,
  Anchor,
  Card,
  Group,
  NativeSelect,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { errorText, unwrap } from '../../api/problem';
import { money } from '../../lib/format';
import { percent, PeriodPicker, usePeriod } from '../shared/period';

const BarChart = lazy(() => import('../shared/BarChart'));

const FORMULAS = {
  recovery: 'recovered ÷ placed (money recovered in the period over money placed)',
  promiseKept: 'promises kept ÷ (kept + broken)',
  rightParty: 'right-party contacts ÷ contact attempts',
} as const;

function Kpi({ label, value, formula }: { label: string; value: string; formula: string }) {
  const { t } = useTranslation();
  return (
    <Card withBorder>
      <Tooltip
        label={`${t('dashboard.formula')}: ${formula}`}
        multiline
        w={260}
        events={{ hover: true, focus: true, touch: true }}
      >
        <Text fw={600} tabIndex={0} style={{ textDecoration: 'underline dotted' }} aria-description={formula}>
          {label}
        </Text>
      </Tooltip>
      <Text fz={28} fw={700} data-testid={`kpi-${label}`}>
        {value}
      </Text>
    </Card>
  );
}

export default function DashboardPage() {
  const { t, i18n } = useTranslation();
  const period = usePeriod();
  const [params, setParams] = useSearchParams();
  const groupBy = params.get('groupBy') ?? '';
  const query = { from: period.from, to: period.to };

  const kpis = useQuery({
    queryKey: ['kpis', query, groupBy],
    queryFn: async () =>
      unwrap(await api.GET('/v1/kpis', { params: { query: { ...query, ...(groupBy ? { groupBy } : {}) } } })),
  });
  const aging = useQuery({
    queryKey: ['aging'],
    queryFn: async () => unwrap(await api.GET('/v1/kpis/aging', {})),
  });
  const rolls = useQuery({
    queryKey: ['roll-rates', query],
    queryFn: async () => unwrap(await api.GET('/v1/kpis/roll-rates', { params: { query } })),
  });
  const channels = useQuery({
    queryKey: ['channels', query],
    queryFn: async () => unwrap(await api.GET('/v1/kpis/channels', { params: { query } })),
  });

  const total = kpis.data?.groups[0];
  const agingGroup = aging.data?.groups[0];
  const agingSeries = useMemo(
    () => (agingGroup ? [{ name: t('common.balance'), values: agingGroup.buckets.map((b) => Number(b.balance)) }] : []),
    [agingGroup, t],
  );
  const failed = [kpis, aging, rolls, channels].find((q) => q.isError);
  const exportUrl = `/v1/exports/kpis.xlsx?${new URLSearchParams({ ...query, ...(groupBy ? { groupBy } : {}) }).toString()}`;

  return (
    <Stack>
      <Title order={1}>{t('dashboard.title')}</Title>
      <Group align="flex-end">
        <PeriodPicker period={period} />
        <NativeSelect
          label="groupBy"
          value={groupBy}
          onChange={(e) => {
            const next = new URLSearchParams(params);
            if (e.currentTarget.value) next.set('groupBy', e.currentTarget.value);
            else next.delete('groupBy');
            setParams(next, { replace: true });
          }}
          data={[
            { value: '', label: '—' },
            { value: 'strategy', label: t('common.strategy') },
            { value: 'arm', label: 'arm' },
            { value: 'channel', label: t('common.channel') },
            { value: 'agent', label: t('common.agent') },
            { value: 'stage', label: t('common.stage') },
          ]}
        />
        <Anchor href={exportUrl} download>
          {t('dashboard.export')}
        </Anchor>
      </Group>
      {failed && (
        <Alert color="red" role="alert" title={t('common.error')}>
          {errorText(failed.error)}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Kpi label={t('dashboard.recovery')} value={percent(total?.recoveryRate)} formula={FORMULAS.recovery} />
        <Kpi label={t('dashboard.promiseKept')} value={percent(total?.keptRate)} formula={FORMULAS.promiseKept} />
        <Kpi label={t('dashboard.rightParty')} value={percent(total?.rpcRate)} formula={FORMULAS.rightParty} />
      </SimpleGrid>
      {kpis.data && kpis.data.groups.length > 0 && (
        <Card withBorder>
          <Table.ScrollContainer minWidth={640}>
            <Table data-testid="kpi-groups">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{groupBy || t('common.currency')}</Table.Th>
                  <Table.Th scope="col">Accounts</Table.Th>
                  <Table.Th scope="col">Placed</Table.Th>
                  <Table.Th scope="col">Collected</Table.Th>
                  <Table.Th scope="col">{t('dashboard.recovery')}</Table.Th>
                  <Table.Th scope="col">{t('dashboard.promiseKept')}</Table.Th>
                  <Table.Th scope="col">{t('dashboard.rightParty')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {kpis.data.groups.map((g, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>{Object.values(g.key ?? {}).join(' · ') || g.currency}</Table.Td>
                    <Table.Td>{g.accounts}</Table.Td>
                    <Table.Td>{money(g.placed ?? '0', g.currency ?? '', i18n.language)}</Table.Td>
                    <Table.Td>{money(g.collected ?? '0', g.currency ?? '', i18n.language)}</Table.Td>
                    <Table.Td>{percent(g.recoveryRate)}</Table.Td>
                    <Table.Td>{percent(g.keptRate)}</Table.Td>
                    <Table.Td>{percent(g.rpcRate)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4">
            {t('dashboard.aging')}
          </Title>
          {agingGroup && (
            <>
              <Suspense fallback={<Text>{t('app.loading')}</Text>}>
                <BarChart
                  label={t('dashboard.aging')}
                  categories={agingGroup.buckets.map((b) => b.bucket)}
                  series={agingSeries}
                />
              </Suspense>
              <Table>
                <Table.Tbody>
                  {agingGroup.buckets.map((b) => (
                    <Table.Tr key={b.bucket}>
                      <Table.Th scope="row">{b.bucket}</Table.Th>
                      <Table.Td>{b.accounts}</Table.Td>
                      <Table.Td>{money(b.balance, agingGroup.currency ?? '', i18n.language)}</Table.Td>
                      <Table.Td>{percent(b.balanceShare)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </Card>
        <Card withBorder>
          <Title order={2} size="h4">
            {t('dashboard.rollRates')}
          </Title>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Bucket</Table.Th>
                <Table.Th scope="col">Accounts</Table.Th>
                <Table.Th scope="col">Roll rate</Table.Th>
                <Table.Th scope="col">Cure rate</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rolls.data?.groups[0]?.buckets.map((b) => (
                <Table.Tr key={b.bucket}>
                  <Table.Td>{b.bucket}</Table.Td>
                  <Table.Td>{b.accounts}</Table.Td>
                  <Table.Td>{percent(b.rollRate)}</Table.Td>
                  <Table.Td>{percent(b.cureRate)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Title order={2} size="h4">
          {t('dashboard.channels')}
        </Title>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('common.channel')}</Table.Th>
              <Table.Th scope="col">Sent</Table.Th>
              <Table.Th scope="col">Delivered</Table.Th>
              <Table.Th scope="col">Read</Table.Th>
              <Table.Th scope="col">Failed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {channels.data?.channels.map((c) => (
              <Table.Tr key={c.channel}>
                <Table.Td>{c.channel}</Table.Td>
                <Table.Td>{c.sent}</Table.Td>
                <Table.Td>{percent(c.deliveryRate)}</Table.Td>
                <Table.Td>{percent(c.readRate)}</Table.Td>
                <Table.Td>{percent(c.failureRate)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
