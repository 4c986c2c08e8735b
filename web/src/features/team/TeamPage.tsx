// The team (GET /v1/team): each agent's open queue (and how much of it is overdue), tasks done today, and the
// promises obtained and money collected in the period (the month so far unless one is chosen; kept in the URL).
import { Alert, Card, Group, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { ApiError, errorText, unwrap } from '../../api/problem';
import { money } from '../../lib/format';
import { PeriodPicker } from '../shared/period';

/** The browser's zone says which date "today" is (the API's default is Mexico City's). */
const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export default function TeamPage() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const from = params.get('from') ?? undefined;
  const to = params.get('to') ?? undefined;
  const withinDays = params.get('withinDays') ?? '';
  const query = {
    timezone,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(/^\d+$/.test(withinDays) ? { withinDays: Number(withinDays) } : {}),
  };
  const team = useQuery({
    queryKey: ['team', query],
    queryFn: async () => unwrap(await api.GET('/v1/team', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const problem = team.error instanceof ApiError ? team.error : null;
  const fieldError = (f: string) => problem?.fieldMessage(f);
  const fields = ['from', 'to', 'withinDays', 'timezone'];
  const general = team.isError && !fields.some(fieldError);
  const setParam = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };
  const period = {
    from: from ?? team.data?.from ?? '',
    to: to ?? team.data?.to ?? '',
    set: (f: string, t_: string) => setParam({ from: f, to: t_ }),
  };
  const agents = team.data?.agents ?? [];

  return (
    <Stack>
      <Title order={1}>{t('team.title')}</Title>
      <Group align="flex-start">
        <PeriodPicker period={period} fieldError={fieldError} />
        <NumberInput
          name="withinDays"
          label={t('team.withinDays')}
          description={t('team.withinDaysHelp')}
          min={0}
          max={365}
          allowDecimal={false}
          allowNegative={false}
          placeholder="7"
          value={withinDays}
          onChange={(v) => setParam({ withinDays: String(v) })}
          error={fieldError('withinDays')}
          w={220}
        />
      </Group>
      {team.data && (
        <Text data-testid="team-period">
          {t('team.period', { today: team.data.today, from: team.data.from, to: team.data.to })}
        </Text>
      )}
      {(general || fieldError('timezone')) && (
        <Alert color="red" role="alert">
          {fieldError('timezone') ? `${timezone}: ${fieldError('timezone')}` : errorText(team.error)}
        </Alert>
      )}
      {team.isPending && <Text>{t('app.loading')}</Text>}
      <Card withBorder>
        <Table.ScrollContainer minWidth={720}>
          <Table data-testid="team">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('common.agent')}</Table.Th>
                <Table.Th scope="col">{t('team.queue')}</Table.Th>
                <Table.Th scope="col">{t('team.overdue')}</Table.Th>
                <Table.Th scope="col">{t('team.doneToday')}</Table.Th>
                <Table.Th scope="col">{t('team.promises')}</Table.Th>
                <Table.Th scope="col">{t('team.collected')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {agents.map((a) => (
                <Table.Tr key={a.agentId} data-testid={`team-${a.agentId}`}>
                  <Table.Th scope="row" fw="normal">
                    {a.user ? (
                      <>
                        <Text span fw={600}>
                          {a.user.name}
                        </Text>{' '}
                        <Text span c="gray.7" size="sm">
                          {a.agentId}
                        </Text>
                      </>
                    ) : (
                      a.agentId
                    )}
                  </Table.Th>
                  <Table.Td data-testid="queue-size">{a.queueSize}</Table.Td>
                  <Table.Td>{a.overdue}</Table.Td>
                  <Table.Td>{a.doneToday}</Table.Td>
                  <Table.Td>{a.promisesObtained}</Table.Td>
                  <Table.Td>
                    {a.collected.length
                      ? a.collected.map((c) => money(c.amount, c.currency, i18n.language)).join(', ')
                      : '—'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {team.isSuccess && agents.length === 0 && <Text>{t('common.empty')}</Text>}
      </Card>
    </Stack>
  );
}
