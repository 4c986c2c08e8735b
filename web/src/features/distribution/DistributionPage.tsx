// Distribution: select accounts by filters and assign them (round robin over the agents given, one PUT
// /v1/accounts/{id}/assignment each), or pause and resume them. Each refusal is listed with its detail.
import { Alert, Button, Card, Checkbox, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ApiError, errorText, unwrap } from '../../api/problem';
import { money } from '../../lib/format';
import { FilterForm, useAccountFilters } from '../shared/accountFilters';
import { useAccountList } from '../shared/useAccountList';

export default function DistributionPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useAccountFilters();
  const list = useAccountList(filters, 200);
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [agents, setAgents] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: number; failures: string[] } | null>(null);
  const [agentsError, setAgentsError] = useState<string | undefined>();
  const apiError = list.error instanceof ApiError ? list.error : null;

  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const each = async (fn: (accountId: string, i: number) => Promise<unknown>) => {
    setBusy(true);
    setResult(null);
    const failures: string[] = [];
    let ok = 0;
    let i = 0;
    for (const accountId of selected) {
      try {
        await fn(accountId, i++);
        ok++;
      } catch (err) {
        failures.push(`${accountId.slice(0, 8)}: ${errorText(err)}`);
      }
    }
    setResult({ ok, failures });
    setBusy(false);
    void queryClient.invalidateQueries({ queryKey: ['accounts'] });
  };

  const assign = () => {
    const list = agents
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    if (list.length === 0) {
      setAgentsError(t('distribution.agentsList'));
      return;
    }
    setAgentsError(undefined);
    void each(async (accountId, i) =>
      unwrap(
        await api.PUT('/v1/accounts/{accountId}/assignment', {
          params: { path: { accountId } },
          body: { agentId: list[i % list.length] ?? '' },
        }),
      ),
    );
  };
  const pause = (resume: boolean) =>
    void each(async (accountId) => {
      const opts = { params: { path: { accountId } }, body: reason.trim() ? { note: reason.trim() } : {} };
      return unwrap(
        resume
          ? await api.POST('/v1/accounts/{accountId}/resume', opts)
          : await api.POST('/v1/accounts/{accountId}/pause', opts),
      );
    });

  return (
    <Stack>
      <Title order={1}>{t('distribution.title')}</Title>
      <FilterForm filters={filters} onApply={setFilters} fieldError={(f) => apiError?.fieldMessage(f)} />
      {list.isError && !apiError?.problem.errors?.length && (
        <Alert color="red" role="alert">
          {errorText(list.error)}
        </Alert>
      )}
      <Card withBorder>
        <Group align="flex-end">
          <Text aria-live="polite">{t('distribution.selected', { count: selected.size })}</Text>
          <TextInput
            name="agents"
            label={`${t('distribution.assignTo')} — ${t('distribution.roundRobin')}`}
            description={t('distribution.agentsList')}
            value={agents}
            onChange={(e) => setAgents(e.currentTarget.value)}
            error={agentsError}
            w={320}
          />
          <Button onClick={assign} loading={busy} disabled={selected.size === 0}>
            {t('distribution.assign')}
          </Button>
          <TextInput
            label={t('distribution.reason')}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Button variant="default" onClick={() => pause(false)} disabled={selected.size === 0 || busy}>
            {t('distribution.pause')}
          </Button>
          <Button variant="default" onClick={() => pause(true)} disabled={selected.size === 0 || busy}>
            {t('distribution.resume')}
          </Button>
        </Group>
        {result && (
          <Stack gap={4} mt="sm">
            <Text role="status">{t('distribution.assigned', { count: result.ok })}</Text>
            {result.failures.map((f) => (
              <Text key={f} c="red.9">
                {f}
              </Text>
            ))}
          </Stack>
        )}
      </Card>
      <Card withBorder>
        <Table.ScrollContainer minWidth={640}>
          <Table data-testid="distribution">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">
                  <Checkbox
                    aria-label="all"
                    checked={rows.length > 0 && selected.size === rows.length}
                    onChange={(e) =>
                      setSelected(e.currentTarget.checked ? new Set(rows.map((r) => r.accountId)) : new Set())
                    }
                  />
                </Table.Th>
                <Table.Th scope="col">{t('account.debtor')}</Table.Th>
                <Table.Th scope="col">{t('common.status')}</Table.Th>
                <Table.Th scope="col">{t('common.balance')}</Table.Th>
                <Table.Th scope="col">{t('common.daysPastDue')}</Table.Th>
                <Table.Th scope="col">{t('common.agent')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((a) => (
                <Table.Tr key={a.accountId}>
                  <Table.Td>
                    <Checkbox
                      aria-label={a.debtor.name}
                      checked={selected.has(a.accountId)}
                      onChange={() => toggle(a.accountId)}
                    />
                  </Table.Td>
                  <Table.Td>{a.debtor.name}</Table.Td>
                  <Table.Td>{a.status}</Table.Td>
                  <Table.Td>{money(a.balance.amount, a.balance.currency, i18n.language)}</Table.Td>
                  <Table.Td>{a.daysPastDue ?? '—'}</Table.Td>
                  <Table.Td data-testid="assigned">{a.assignedAgentId ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {list.hasNextPage && (
          <Button variant="default" mt="sm" onClick={() => void list.fetchNextPage()}>
            {t('common.more')}
          </Button>
        )}
      </Card>
    </Stack>
  );
}
