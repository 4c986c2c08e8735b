// "Mi trabajo": the agent's open tasks in the order to work them, each with why it exists; one click to the account.
import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useLayoutEffect, useMemo, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import classes from './queue.module.css';
import { api } from '../../api/client';
import { errorText, unwrap } from '../../api/problem';
import { useSession } from '../../app/session';
import { dateTime, money } from '../../lib/format';
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

type T = (key: string, values?: Record<string, unknown>) => string;

/** An agent's own queue, in the API's working order, with each task's reason and account. */
async function loadMyQueue(t: T): Promise<QueueTask[]> {
  const tasks: QueueTask[] = [];
  let cursor: string | undefined;
  do {
    const page = unwrap(
      await api.GET('/v1/me/queue', { params: { query: { limit: 500, ...(cursor ? { cursor } : {}) } } }),
    );
    for (const item of page.items) {
      const r = item.reason;
      const reason =
        r?.kind === 'strategy_step'
          ? t('queue.reasonStep', {
              step: r.stepId ?? '?',
              stage: r.stageId ?? '?',
              strategy: `${r.strategyId ?? ''} v${r.strategyVersion ?? ''}`,
            })
          : r?.kind === 'debtor_request'
            ? t('queue.reasonRequest', { source: r.source ?? '' })
            : (item.note ?? undefined);
      tasks.push({
        id: item.id,
        accountId: item.account.id,
        channel: item.channel,
        priority: item.priority,
        dueAt: item.dueAt,
        status: 'open',
        reason,
        debtorName: item.account.debtorName,
        balance: item.account.balance,
      });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor && tasks.length < MAX_TASKS);
  performance.mark('queue-data');
  return tasks;
}

export default function QueuePage() {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const mine = user?.role === 'agent';
  const query = useQuery({
    queryKey: ['queue', mine],
    queryFn: () => (mine ? loadMyQueue(t as T) : loadQueue()),
  });
  // "Overdue" as of when the queue was read.
  const now = query.dataUpdatedAt;
  // The agent's queue comes in the API's working order; the supervisor's list is ordered here the same way.
  const ordered = useMemo(
    () => (query.data ? (mine ? query.data : workOrder(query.data, now)) : []),
    [query.data, now, mine],
  );

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
                  <td>
                    {task.reason ??
                      reasonText.replace('{{channel}}', task.channel).replace('{{priority}}', task.priority)}
                  </td>
                  <td>
                    <a className={classes.link} href={`/console/accounts/${task.accountId}?task=${task.id}`}>
                      {task.debtorName ?? `${open} ${task.accountId.slice(0, 8)}`}
                    </a>
                    {task.balance && ` · ${money(task.balance.amount, task.balance.currency)}`}
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
