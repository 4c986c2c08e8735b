// The team: each agent's open queue, tasks done today, promises obtained and money collected today.
import { Alert, Card, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText, unwrap } from '../../api/problem';
import { money, today } from '../../lib/format';

/** Open tasks counted per agent (pages of 500, up to this many). */
const MAX_COUNTED = 5000;

async function openTasksByAgent(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = unwrap(
      await api.GET('/v1/tasks', { params: { query: { status: 'open', limit: 500, ...(cursor ? { cursor } : {}) } } }),
    );
    for (const task of page.items) {
      const agent = task.assignedAgentId ?? '—';
      counts.set(agent, (counts.get(agent) ?? 0) + 1);
    }
    seen += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && seen < MAX_COUNTED);
  return counts;
}

export default function TeamPage() {
  const { t, i18n } = useTranslation();
  const day = today();
  const agents = useQuery({
    queryKey: ['kpi-agents', day],
    queryFn: async () => unwrap(await api.GET('/v1/kpis/agents', { params: { query: { from: day, to: day } } })),
  });
  const queues = useQuery({ queryKey: ['team-queues'], queryFn: openTasksByAgent });
  const ids = new Set<string>([...(queues.data?.keys() ?? []), ...(agents.data?.agents.map((a) => a.agentId) ?? [])]);
  const byId = new Map(agents.data?.agents.map((a) => [a.agentId, a]));
  const failed = agents.isError ? agents.error : queues.isError ? queues.error : null;
  return (
    <Stack>
      <Title order={1}>{t('team.title')}</Title>
      {failed && (
        <Alert color="red" role="alert">
          {errorText(failed)}
        </Alert>
      )}
      {(agents.isPending || queues.isPending) && <Text>{t('app.loading')}</Text>}
      <Card withBorder>
        <Table.ScrollContainer minWidth={560}>
          <Table data-testid="team">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('common.agent')}</Table.Th>
                <Table.Th scope="col">{t('team.queue')}</Table.Th>
                <Table.Th scope="col">{t('team.doneToday')}</Table.Th>
                <Table.Th scope="col">{t('team.promises')}</Table.Th>
                <Table.Th scope="col">{t('team.collected')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...ids].sort().map((id) => {
                const k = byId.get(id);
                return (
                  <Table.Tr key={id}>
                    <Table.Td>{id}</Table.Td>
                    <Table.Td>{queues.data?.get(id) ?? 0}</Table.Td>
                    <Table.Td>{k?.tasksDone ?? 0}</Table.Td>
                    <Table.Td>{k?.promisesObtained ?? 0}</Table.Td>
                    <Table.Td>
                      {k?.collected.length
                        ? k.collected.map((c) => money(c.amount, c.currency, i18n.language)).join(', ')
                        : '—'}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </Stack>
  );
}
