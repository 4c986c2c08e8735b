// "Mi trabajo": the agent's open tasks in the order to work them, each with why it exists; one click to the account.
import { Alert, Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useLayoutEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { errorText, unwrap } from '../../api/problem';
import { dateTime } from '../../lib/format';
import { workOrder, type QueueTask } from './queue';

/** Up to this many open tasks are shown (pages of 500 from GET /v1/tasks). */
const MAX_TASKS = 2000;

async function loadQueue(): Promise<QueueTask[]> {
  const tasks: QueueTask[] = [];
  let cursor: string | undefined;
  do {
    const page = unwrap(
      await api.GET('/v1/tasks', { params: { query: { status: 'open', limit: 500, ...(cursor ? { cursor } : {}) } } }),
    );
    tasks.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && tasks.length < MAX_TASKS);
  // The render time is measured from here (the browser tests read the `queue-render` measure).
  performance.mark('queue-data');
  return tasks;
}

export default function QueuePage() {
  const { t, i18n } = useTranslation();
  const query = useQuery({ queryKey: ['queue'], queryFn: loadQueue });
  // "Overdue" as of when the queue was read.
  const now = query.dataUpdatedAt;
  const ordered = useMemo(() => (query.data ? workOrder(query.data, now) : []), [query.data, now]);

  useLayoutEffect(() => {
    if (query.data && performance.getEntriesByName('queue-data').length > 0) {
      performance.measure('queue-render', 'queue-data');
      performance.clearMarks('queue-data');
    }
  }, [query.data]);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('queue.title')}</Title>
        {query.data && <Text aria-live="polite">{t('queue.count', { count: query.data.length })}</Text>}
      </Group>
      {query.isError && (
        <Alert color="red" title={t('common.error')}>
          {errorText(query.error)}{' '}
          <Button size="xs" variant="default" onClick={() => void query.refetch()}>
            {t('app.retry')}
          </Button>
        </Alert>
      )}
      {query.isPending && <Text>{t('app.loading')}</Text>}
      {query.data && ordered.length === 0 && <Text>{t('queue.empty')}</Text>}
      {ordered.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table striped highlightOnHover data-testid="queue">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('queue.due')}</Table.Th>
                <Table.Th scope="col">{t('queue.priority')}</Table.Th>
                <Table.Th scope="col">{t('common.channel')}</Table.Th>
                <Table.Th scope="col">{t('queue.reason')}</Table.Th>
                <Table.Th scope="col">{t('queue.account')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {ordered.map((task) => {
                const overdue = Date.parse(task.dueAt) < now;
                return (
                  <Table.Tr key={task.id} data-task={task.id}>
                    <Table.Td>
                      {overdue && (
                        <Badge color="red.9" variant="filled" mr="xs">
                          {t('queue.overdue')}
                        </Badge>
                      )}
                      {dateTime(task.dueAt, i18n.language)}
                    </Table.Td>
                    <Table.Td>{task.priority}</Table.Td>
                    <Table.Td>{task.channel}</Table.Td>
                    <Table.Td>{t('queue.reasonText', { channel: task.channel, priority: task.priority })}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/accounts/${task.accountId}?task=${task.id}`}>
                        {t('common.open')} {task.accountId.slice(0, 8)}
                      </Anchor>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
