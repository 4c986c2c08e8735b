// One account for the agent: debtor contacts (tel:, WhatsApp), invoices, balance, stage, promise, the timeline with
// every message and its delivery status, the next planned actions with their reasons, and the actions in place.
import { Alert, Anchor, Badge, Card, Grid, Group, SimpleGrid, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { errorText, unwrap } from '../../api/problem';
import { useSession } from '../../app/session';
import { dateTime, money } from '../../lib/format';
import {
  CompleteTaskForm,
  DisputeForm,
  OptOutForm,
  OutcomeForm,
  PaymentForm,
  PlanForm,
  PromiseForm,
} from './ActionForms';

/** wa.me wants the number in international form, digits only. */
function whatsappLink(phone: string): string {
  return `https://wa.me/${phone.replace(/[^\d]/g, '')}`;
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <Text component="div">{children}</Text>
    </div>
  );
}

export default function AccountPage() {
  const { accountId = '' } = useParams();
  const [params] = useSearchParams();
  const taskId = params.get('task');
  const navigate = useNavigate();
  const { user } = useSession();
  const { t, i18n } = useTranslation();
  const lng = i18n.language;

  const account = useQuery({
    queryKey: ['account', accountId],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{accountId}', { params: { path: { accountId } } })),
  });
  const profile = useQuery({
    queryKey: ['profile', accountId],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{accountId}/profile', { params: { path: { accountId } } })),
  });
  const explain = useQuery({
    queryKey: ['explain', accountId],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{accountId}/explain', { params: { path: { accountId } } })),
  });

  const a = account.data;
  const p = profile.data;
  const currency = a?.balance.currency ?? p?.invoices[0]?.currency ?? 'MXN';
  const failed = [account, profile, explain].find((q) => q.isError);

  return (
    <Stack>
      <Title order={1}>
        {t('account.title')}
        {p ? `: ${p.debtor.name}` : ''}
      </Title>
      {failed && (
        <Alert color="red" title={t('common.error')} role="alert">
          {errorText(failed.error)}
        </Alert>
      )}
      {(account.isPending || profile.isPending) && <Text>{t('app.loading')}</Text>}
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack>
            {a && (
              <Card withBorder>
                <SimpleGrid cols={{ base: 2, sm: 3 }}>
                  <Field label={t('common.balance')}>
                    <span data-testid="balance">{money(a.balance.amount, a.balance.currency, lng)}</span>
                  </Field>
                  <Field label={t('common.stage')}>{a.stage}</Field>
                  <Field label={t('common.status')}>{a.status}</Field>
                  <Field label={t('common.daysPastDue')}>{a.daysPastDue ?? '—'}</Field>
                  <Field label={t('common.strategy')}>
                    {a.strategy ? `${a.strategy.id ?? ''} v${a.strategy.version ?? ''}` : '—'}
                  </Field>
                  <Field label={t('account.promise')}>
                    {a.promise ? (
                      <span data-testid="promise">
                        {money(a.promise.amount ?? '0', currency, lng)} · {a.promise.dueDate} · {a.promise.status}
                      </span>
                    ) : (
                      t('account.noPromise')
                    )}
                  </Field>
                  <Field label={t('account.brokenPromises')}>{a.brokenPromises}</Field>
                </SimpleGrid>
              </Card>
            )}
            {p && (
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">
                  {t('account.contacts')}
                </Title>
                <Group>
                  <Text>{p.debtor.name}</Text>
                  {p.debtor.phone && (
                    <>
                      <Anchor href={`tel:${p.debtor.phone}`}>
                        {t('account.call')} {p.debtor.phone}
                      </Anchor>
                      <Anchor href={whatsappLink(p.debtor.phone)} target="_blank" rel="noopener noreferrer">
                        {t('account.whatsapp')}
                      </Anchor>
                    </>
                  )}
                  {p.debtor.email && <Anchor href={`mailto:${p.debtor.email}`}>{p.debtor.email}</Anchor>}
                </Group>
              </Card>
            )}
            {p && (
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">
                  {t('account.invoices')}
                </Title>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">#</Table.Th>
                      <Table.Th scope="col">{t('common.amount')}</Table.Th>
                      <Table.Th scope="col">{t('common.dueDate')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {p.invoices.map((inv) => (
                      <Table.Tr key={inv.externalId}>
                        <Table.Td>{inv.externalId}</Table.Td>
                        <Table.Td>{money(inv.amount, inv.currency, lng)}</Table.Td>
                        <Table.Td>{inv.dueDate}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Card>
            )}
            {explain.data && (
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">
                  {t('account.nextActions')}
                </Title>
                {explain.data.next.length === 0 && <Text>{t('common.empty')}</Text>}
                <Stack gap={4} component="ol" style={{ paddingInlineStart: 20, margin: 0 }}>
                  {explain.data.next.map((n, i) => (
                    <li key={i}>
                      <Text span fw={600}>
                        {n.type}
                        {n.channel ? ` · ${n.channel}` : ''}
                      </Text>{' '}
                      <Text span>{n.at ? dateTime(n.at, lng) : '—'}</Text> — <Text span>{n.reason}</Text>
                    </li>
                  ))}
                </Stack>
              </Card>
            )}
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">
                {t('account.timeline')}
              </Title>
              <Table.ScrollContainer minWidth={480}>
                <Table data-testid="timeline">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('account.at')}</Table.Th>
                      <Table.Th scope="col">{t('account.event')}</Table.Th>
                      <Table.Th scope="col">{t('account.detail')}</Table.Th>
                      <Table.Th scope="col">{t('account.delivery')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {p?.messages.map((m) => (
                      <Table.Tr key={m.id}>
                        <Table.Td>{dateTime(m.sentAt ?? m.createdAt, lng)}</Table.Td>
                        <Table.Td>
                          {m.channel} · {m.template}
                        </Table.Td>
                        <Table.Td>{m.subject ?? m.bodyText?.slice(0, 120) ?? ''}</Table.Td>
                        <Table.Td>
                          <Badge variant="outline" color="dark">
                            {m.deliveryStatus ?? m.status}
                          </Badge>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                    {[...(a?.timeline ?? [])].reverse().map((e, i) => (
                      <Table.Tr key={`e${i}`}>
                        <Table.Td>{dateTime(e.at, lng)}</Table.Td>
                        <Table.Td>{e.type}</Table.Td>
                        <Table.Td>
                          {['channel', 'template', 'stage', 'amount', 'reason', 'outcome']
                            .map((k) => (typeof e[k] === 'string' || typeof e[k] === 'number' ? String(e[k]) : null))
                            .filter(Boolean)
                            .join(' · ')}
                        </Table.Td>
                        <Table.Td />
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {a && a.timeline.length === 0 && !p?.messages.length && <Text>{t('account.noTimeline')}</Text>}
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder>
            <Tabs defaultValue={taskId ? 'task' : 'promise'} keepMounted={false}>
              <Tabs.List>
                {taskId && <Tabs.Tab value="task">{t('account.completeTask')}</Tabs.Tab>}
                {user?.role === 'agent' && <Tabs.Tab value="payment">{t('account.payment')}</Tabs.Tab>}
                {user?.role === 'agent' && <Tabs.Tab value="promise">{t('account.promise')}</Tabs.Tab>}
                {user?.role === 'agent' && <Tabs.Tab value="plan">{t('account.plan')}</Tabs.Tab>}
                {user?.role === 'agent' && <Tabs.Tab value="outcome">{t('account.outcome')}</Tabs.Tab>}
                <Tabs.Tab value="dispute">{t('account.dispute')}</Tabs.Tab>
                <Tabs.Tab value="optout">{t('account.optOut')}</Tabs.Tab>
              </Tabs.List>
              <Stack pt="sm">
                {taskId && (
                  <Tabs.Panel value="task">
                    <CompleteTaskForm taskId={taskId} onDone={() => void navigate('/queue')} />
                  </Tabs.Panel>
                )}
                <Tabs.Panel value="payment">
                  <PaymentForm accountId={accountId} currency={currency} />
                </Tabs.Panel>
                <Tabs.Panel value="promise">
                  <PromiseForm accountId={accountId} currency={currency} />
                </Tabs.Panel>
                <Tabs.Panel value="plan">
                  <PlanForm accountId={accountId} currency={currency} />
                </Tabs.Panel>
                <Tabs.Panel value="outcome">
                  <OutcomeForm accountId={accountId} />
                </Tabs.Panel>
                <Tabs.Panel value="dispute">
                  <DisputeForm accountId={accountId} invoices={p?.invoices.map((i) => i.externalId) ?? []} />
                </Tabs.Panel>
                <Tabs.Panel value="optout">
                  <OptOutForm accountId={accountId} />
                </Tabs.Panel>
              </Stack>
            </Tabs>
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
