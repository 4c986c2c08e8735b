// "Mi trabajo": the agent's open tasks in the order to work them, each with why it exists; one click to the account.
import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useLayoutEffect, useMemo, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import classes from './queue.module.css';
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

  const navigate = useNavigate();
  const overdue = t('queue.overdue');
  const open = t('common.open');
  // Translated once, filled per row: 500 rows stay well within the render budget.
  const reasonText = t('queue.reasonText', {
    channel: '{{channel}}',
    priority: '{{priority}}',
    interpolation: { escapeValue: false },
  });
  const follow = (e: MouseEvent<HTMLTableElement>) => {
    const link = (e.target as HTMLElement).closest('a');
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    void navigate(link.pathname.replace(/^\/console/, '') + link.search);
  };

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
        <div className={classes.wrap}>
          {/* One click handler for every row's link: in-app navigation without a router hook per row. */}
          <table className={classes.table} data-testid="queue" onClick={follow}>
            <thead>
              <tr>
                <th scope="col">{t('queue.due')}</th>
                <th scope="col">{t('queue.priority')}</th>
                <th scope="col">{t('common.channel')}</th>
                <th scope="col">{t('queue.reason')}</th>
                <th scope="col">{t('queue.account')}</th>
              </tr>
            </thead>
            <tbody>
              {ordered.map((task) => (
                <tr key={task.id} data-task={task.id}>
                  <td>
                    {Date.parse(task.dueAt) < now && <span className={classes.overdue}>{overdue}</span>}
                    {dateTime(task.dueAt, i18n.language)}
                  </td>
                  <td>{task.priority}</td>
                  <td>{task.channel}</td>
                  <td>{reasonText.replace('{{channel}}', task.channel).replace('{{priority}}', task.priority)}</td>
                  <td>
                    <a className={classes.link} href={`/console/accounts/${task.accountId}?task=${task.id}`}>
                      {open} {task.accountId.slice(0, 8)}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Stack>
  );
}
