// Distribution: select accounts (the ones ticked, or every open account the filters match), let a rule of POST
// /v1/assignments place them (round robin, by capacity, by segment), preview it (dry run), then apply it; or pause
// and resume the ticked accounts. The API's answer says how many went to whom; its messages sit beside the fields.
import { Alert, Button, Card, Checkbox, Group, Radio, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ApiError, errorText, unwrap } from '../../api/problem';
import { money } from '../../lib/format';
import { FILTER_KEYS, FilterForm, listQuery, useAccountFilters, type AccountFilters } from '../shared/accountFilters';
import { useAccountList } from '../shared/useAccountList';
import {
  emptyDraft,
  FieldMessages,
  ruleBody,
  segmentRowErrors,
  type AssignmentBody,
  type RuleDraft,
} from './assignment';
import { AssignmentResult } from './AssignmentResult';
import { RuleForm } from './RuleForm';

type Target = 'selected' | 'filter';

/** The fields this page shows the API's messages beside (the rest go to the alert under the buttons). */
function shownField(field: string, draft: RuleDraft): boolean {
  const agents = new Set(draft.rule === 'segment' ? [] : draft.agents.split(',').map((a) => a.trim()));
  const segments = new Set(draft.segments.map((s) => s.value.trim()));
  const [head = '', ...tail] = field.split('.');
  const member = tail.join('.');
  const base = head.replace(/\[\d+\]$/, '');
  switch (base) {
    case 'rule':
    case 'agents':
    case 'accountIds':
    case 'segmentBy':
    case 'attribute':
      return true;
    case 'capacity':
      return member === '' || agents.has(member);
    case 'segments':
      return member === '' || segments.has(member.replace(/\[\d+\]$/, ''));
    case 'filter':
      return member === 'unassigned' || (FILTER_KEYS as readonly string[]).includes(member);
    default:
      return false;
  }
}

export default function DistributionPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useAccountFilters();
  const list = useAccountList(filters, 200);
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [target, setTarget] = useState<Target>('filter');
  const [unassigned, setUnassigned] = useState(false);
  const [draft, setDraft] = useState<RuleDraft>(emptyDraft);
  const listError = list.error instanceof ApiError ? list.error : null;

  const distribute = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const body: AssignmentBody = {
        ...ruleBody(draft),
        ...(target === 'filter'
          ? { filter: { ...listQuery(filters), ...(unassigned ? { unassigned: true } : {}) } }
          : selected.size > 0
            ? { accountIds: [...selected] }
            : {}),
        dryRun,
      };
      return unwrap(await api.POST('/v1/assignments', { body }));
    },
    onSuccess: (answer) => {
      if (answer.dryRun) return;
      void queryClient.invalidateQueries({ queryKey: ['accounts'] });
      void queryClient.invalidateQueries({ queryKey: ['team'] });
    },
  });
  const messages = new FieldMessages(distribute.error);
  const unplaced = messages.rest((f) => shownField(f, draft));
  const blocked = segmentRowErrors(draft.segments).size > 0 && draft.rule === 'segment';
  // A changed request makes the last answer (or refusal) stale.
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      distribute.reset();
      set(v);
    };

  const applyFilters = (f: AccountFilters) => {
    distribute.reset();
    setSelected(new Set());
    setFilters(f);
  };
  const toggle = (id: string) =>
    edit(setSelected)(
      ((s) => {
        const next = new Set(s);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      })(selected),
    );

  return (
    <Stack>
      <Title order={1}>{t('distribution.title')}</Title>
      <FilterForm
        filters={filters}
        onApply={applyFilters}
        fieldError={(f) => listError?.fieldMessage(f) ?? (target === 'filter' ? messages.of(`filter.${f}`) : undefined)}
      />
      {list.isError && !listError?.problem.errors?.length && (
        <Alert color="red" role="alert">
          {errorText(list.error)}
        </Alert>
      )}
      <Card withBorder>
        <form
          aria-label={t('distribution.distribute')}
          onSubmit={(e) => {
            e.preventDefault();
            distribute.mutate(false);
          }}
        >
          <Stack gap="sm">
            <Title order={2} size="h4">
              {t('distribution.distribute')}
            </Title>
            <Radio.Group
              name="target"
              label={t('distribution.target')}
              value={target}
              onChange={(v) => edit(setTarget)(v === 'selected' ? 'selected' : 'filter')}
              error={messages.of('accountIds')}
            >
              <Group mt={4}>
                <Radio value="filter" label={t('distribution.targetFilter')} />
                <Radio value="selected" label={t('distribution.targetSelected', { count: selected.size })} />
              </Group>
            </Radio.Group>
            {target === 'filter' && (
              <Checkbox
                name="unassigned"
                label={t('distribution.unassignedOnly')}
                checked={unassigned}
                onChange={(e) => edit(setUnassigned)(e.currentTarget.checked)}
                error={messages.of('filter.unassigned')}
              />
            )}
            <RuleForm draft={draft} onChange={edit(setDraft)} messages={messages} />
            <Group>
              <Button
                variant="default"
                onClick={() => distribute.mutate(true)}
                loading={distribute.isPending && distribute.variables}
                disabled={blocked}
              >
                {t('distribution.preview')}
              </Button>
              <Button type="submit" loading={distribute.isPending && !distribute.variables} disabled={blocked}>
                {t('distribution.assign')}
              </Button>
            </Group>
            {(messages.detail || unplaced.length > 0) && (
              <Alert color="red" role="alert">
                {messages.detail}
                {unplaced.map((m) => (
                  <Text key={m} size="sm">
                    {m}
                  </Text>
                ))}
              </Alert>
            )}
          </Stack>
        </form>
      </Card>
      {distribute.data && <AssignmentResult answer={distribute.data} />}
      <PauseResume selected={selected} />
      <Card withBorder>
        <Text aria-live="polite" mb="xs">
          {t('distribution.selected', { count: selected.size })}
        </Text>
        <Table.ScrollContainer minWidth={640}>
          <Table data-testid="distribution">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">
                  <Checkbox
                    aria-label={t('distribution.selectAll')}
                    checked={rows.length > 0 && selected.size === rows.length}
                    onChange={(e) =>
                      edit(setSelected)(e.currentTarget.checked ? new Set(rows.map((r) => r.accountId)) : new Set())
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

/** Pause or resume each ticked account (one call each: the API has no bulk pause); each refusal listed. */
function PauseResume({ selected }: { selected: ReadonlySet<string> }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ resume: boolean; ok: number; failures: string[] } | null>(null);

  const run = async (resume: boolean) => {
    setBusy(true);
    setResult(null);
    const failures: string[] = [];
    let ok = 0;
    for (const accountId of selected) {
      const opts = { params: { path: { accountId } }, body: reason.trim() ? { note: reason.trim() } : {} };
      try {
        unwrap(
          resume
            ? await api.POST('/v1/accounts/{accountId}/resume', opts)
            : await api.POST('/v1/accounts/{accountId}/pause', opts),
        );
        ok++;
      } catch (err) {
        failures.push(`${accountId.slice(0, 8)}: ${errorText(err)}`);
      }
    }
    setResult({ resume, ok, failures });
    setBusy(false);
    void queryClient.invalidateQueries({ queryKey: ['accounts'] });
  };

  return (
    <Card withBorder>
      <Group align="flex-end">
        <TextInput label={t('distribution.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <Button variant="default" onClick={() => void run(false)} loading={busy} disabled={selected.size === 0}>
          {t('distribution.pause')}
        </Button>
        <Button variant="default" onClick={() => void run(true)} loading={busy} disabled={selected.size === 0}>
          {t('distribution.resume')}
        </Button>
      </Group>
      {result && (
        <Stack gap={4} mt="sm">
          <Text role="status">
            {t(result.resume ? 'distribution.resumedCount' : 'distribution.pausedCount', { count: result.ok })}
          </Text>
          {result.failures.map((f) => (
            <Text key={f} c="red.9">
              {f}
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
}
