// Reconciliation: upload a bank statement (supervisors), follow its job, and work the queue of lines the
// matcher did not apply: apply one to a suggestion in one click, to a chosen debtor, account, invoices or a
// split across accounts, or set it aside with a reason. Every API problem is shown beside its field.
import { Alert, Button, Card, FileInput, Group, Progress, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, rawFetch } from '../../api/client';
import { ApiError, errorText, unwrap, type Problem } from '../../api/problem';
import type { paths } from '../../api/schema';
import { useSession } from '../../app/session';
import { money } from '../../lib/format';
import { LineErrors } from '../shared/LineErrors';

type Line = paths['/v1/statements/unmatched']['get']['responses'][200]['content']['application/json']['items'][number];
type ApplyBody = NonNullable<
  paths['/v1/statement-lines/{lineId}/apply']['post']['requestBody']
>['content']['application/json'];

/** A problem's message for a field of the form, or its detail when it names none of them. */
function messages(err: unknown, fields: string[]): { field: Record<string, string>; other?: string } {
  if (!err) return { field: {} };
  if (!(err instanceof ApiError)) return { field: {}, other: errorText(err) };
  const field: Record<string, string> = {};
  for (const e of err.problem.errors ?? []) {
    const name = e.field.replace(/^(body|querystring|params)\./, '').replace(/^\//, '');
    const hit = fields.find(
      (f) => name === f || name.startsWith(`${f}.`) || name.startsWith(`${f}/`) || name.startsWith(`${f}[`),
    );
    if (hit) field[hit] = field[hit] ? `${field[hit]}; ${e.message}` : e.message;
  }
  const named = Object.keys(field).length > 0;
  return { field, other: named ? undefined : errorText(err) };
}

function Job({ jobId }: { jobId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: ['statement', jobId],
    queryFn: async () => {
      const j = unwrap(await api.GET('/v1/statements/{jobId}', { params: { path: { jobId } } }));
      if (j.status === 'completed' || j.status === 'failed')
        void queryClient.invalidateQueries({ queryKey: ['statements-unmatched'] });
      return j;
    },
    refetchInterval: (q) => (q.state.data && ['completed', 'failed'].includes(q.state.data.status) ? false : 1000),
  });
  const j = job.data;
  if (!j)
    return (
      <Text role={job.isError ? 'alert' : undefined}>{job.isError ? errorText(job.error) : t('app.loading')}</Text>
    );
  const pct = j.totalLines ? Math.round((j.processedLines / j.totalLines) * 100) : j.status === 'completed' ? 100 : 0;
  return (
    <Card withBorder data-testid="statement-job">
      <Group justify="space-between">
        <Text fw={600}>
          {j.filename ?? j.jobId} {j.format ? `(${j.format})` : ''}
        </Text>
        <Text data-testid="statement-status">{j.status}</Text>
      </Group>
      <Progress value={pct} aria-label={t('reconciliation.progress')} mt="xs" />
      <Text size="sm" mt="xs">
        {t('reconciliation.counts', {
          processed: j.processedLines,
          total: j.totalLines ?? '?',
          fresh: j.newLines,
          repeated: j.repeatedLines,
          applied: j.appliedLines ?? 0,
          queued: j.queuedLines ?? 0,
          failed: j.failedLines,
        })}
      </Text>
      {j.error && (
        <Alert color="red" role="alert" mt="xs">
          {j.error.message}
          {j.error.errors?.map((e) => (
            <div key={e.field}>
              {e.field}: {e.message}
            </div>
          ))}
        </Alert>
      )}
      <LineErrors lines={j.errors} testId="statement-errors" />
    </Card>
  );
}

const UPLOAD_FIELDS = ['file', 'bank', 'account', 'currency'] as const;

function Upload() {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [opts, setOpts] = useState<Record<string, string>>({ bank: '', account: '', currency: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const upload = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    const body = new FormData();
    body.set('filename', file.name);
    for (const [k, v] of Object.entries(opts)) if (v.trim()) body.set(k, v.trim());
    body.set('file', file, file.name);
    try {
      const res = await rawFetch('/v1/statements', { method: 'POST', body });
      const answer = (await res.json().catch(() => ({}))) as Problem & { jobId?: string };
      if (!res.ok) throw new ApiError(res.status, answer);
      setJobId(answer.jobId ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const m = messages(error, [...UPLOAD_FIELDS]);
  return (
    <Card withBorder>
      <Stack>
        <Title order={2} size="h4">
          {t('reconciliation.upload')}
        </Title>
        <Text size="sm">{t('reconciliation.formatAuto')}</Text>
        <FileInput
          label={t('reconciliation.file')}
          accept=".xml,.sta,.mt940,.txt,.csv,application/xml,text/xml,text/plain,text/csv"
          value={file}
          onChange={(f) => {
            setFile(f);
            setError(null);
          }}
          error={m.field.file ?? m.other}
          clearable
          clearButtonProps={{ 'aria-label': t('common.cancel') }}
        />
        <Group grow align="flex-start">
          {(['bank', 'account', 'currency'] as const).map((k) => (
            <TextInput
              key={k}
              name={k}
              label={t(`reconciliation.${k}`)}
              description={t('reconciliation.csvOnly')}
              value={opts[k]}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setOpts((o) => ({ ...o, [k]: v }));
              }}
              error={m.field[k]}
            />
          ))}
        </Group>
        <Group>
          <Button onClick={() => void upload()} loading={busy} disabled={!file}>
            {t('reconciliation.send')}
          </Button>
        </Group>
        {jobId && <Job jobId={jobId} />}
      </Stack>
    </Card>
  );
}

type Mode = 'debtorId' | 'accountId' | 'invoiceIds' | 'splits';

const ids = (s: string) =>
  s
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function LineActions({ line, onDone }: { line: Line; onDone: (text: string) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<'apply' | 'ignore' | null>(null);
  const [mode, setMode] = useState<Mode>('accountId');
  const [target, setTarget] = useState('');
  const [invoices, setInvoices] = useState('');
  const [splits, setSplits] = useState<{ accountId: string; amount: string }[]>([{ accountId: '', amount: '' }]);
  const [reason, setReason] = useState('');

  const apply = async (body: ApplyBody, key: string) => {
    setBusy(key);
    setError(null);
    try {
      const r = unwrap(
        await api.POST('/v1/statement-lines/{lineId}/apply', { params: { path: { lineId: line.id } }, body }),
      );
      onDone(
        t('reconciliation.applied', {
          amount: money(line.amount, line.currency),
          accounts: r.applied.length,
          credit: r.credit ? money(r.credit, line.currency) : '—',
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const ignore = async () => {
    setBusy('ignore');
    setError(null);
    try {
      unwrap(
        await api.POST('/v1/statement-lines/{lineId}/ignore', {
          params: { path: { lineId: line.id } },
          body: { reason },
        }),
      );
      onDone(t('reconciliation.ignored'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const chosen = (): ApplyBody => {
    if (mode === 'splits')
      return { splits: splits.map((s) => ({ accountId: s.accountId.trim(), amount: s.amount.trim() })) };
    if (mode === 'invoiceIds') return { invoiceIds: ids(invoices) };
    if (mode === 'debtorId') {
      const inv = ids(invoices);
      return inv.length > 0 ? { debtorId: target.trim(), invoiceIds: inv } : { debtorId: target.trim() };
    }
    return { accountId: target.trim() };
  };
  const m = messages(error, ['debtorId', 'accountId', 'invoiceIds', 'splits', 'reason']);
  const label = `${line.bookingDate} ${money(line.amount, line.currency)}`;

  return (
    <Stack gap="xs">
      {line.suggestions.length === 0 && <Text size="sm">{t('reconciliation.noSuggestion')}</Text>}
      {line.suggestions.map((s, i) => (
        <Group key={s.debtorId} gap="xs" wrap="nowrap" align="flex-start" data-testid="suggestion">
          <Stack gap={0} style={{ flex: 1 }}>
            <Text size="sm" fw={600}>
              {s.debtorName ?? s.debtorId} · {t('reconciliation.score')} {s.score.toFixed(2)}
            </Text>
            <Text size="xs">{s.reasons.join('; ')}</Text>
          </Stack>
          <Button
            size="xs"
            loading={busy === `s${i}`}
            disabled={busy !== null}
            aria-label={t('reconciliation.applyTo', { name: s.debtorName ?? s.debtorId, line: label })}
            onClick={() =>
              void apply(
                s.invoiceIds.length > 0 ? { debtorId: s.debtorId, invoiceIds: s.invoiceIds } : { debtorId: s.debtorId },
                `s${i}`,
              )
            }
          >
            {t('reconciliation.apply')}
          </Button>
        </Group>
      ))}
      <Group gap="xs">
        <Button
          size="xs"
          variant="default"
          onClick={() => setOpen(open === 'apply' ? null : 'apply')}
          aria-expanded={open === 'apply'}
        >
          {t('reconciliation.applyOther')}
        </Button>
        <Button
          size="xs"
          variant="default"
          onClick={() => setOpen(open === 'ignore' ? null : 'ignore')}
          aria-expanded={open === 'ignore'}
        >
          {t('reconciliation.ignore')}
        </Button>
      </Group>
      {open === 'apply' && (
        <Stack gap="xs">
          <Group gap="xs">
            {(['accountId', 'debtorId', 'invoiceIds', 'splits'] as const).map((k) => (
              <Button
                key={k}
                size="xs"
                variant={mode === k ? 'filled' : 'default'}
                aria-pressed={mode === k}
                onClick={() => setMode(k)}
              >
                {t(`reconciliation.mode.${k}`)}
              </Button>
            ))}
          </Group>
          {(mode === 'accountId' || mode === 'debtorId') && (
            <TextInput
              size="xs"
              label={t(`reconciliation.mode.${mode}`)}
              value={target}
              onChange={(e) => setTarget(e.currentTarget.value)}
              error={m.field[mode]}
            />
          )}
          {(mode === 'invoiceIds' || mode === 'debtorId') && (
            <TextInput
              size="xs"
              label={t('reconciliation.invoiceIds')}
              value={invoices}
              onChange={(e) => setInvoices(e.currentTarget.value)}
              error={m.field.invoiceIds}
            />
          )}
          {mode === 'splits' && (
            <Stack gap={4}>
              {splits.map((s, i) => (
                <Group key={i} gap="xs" grow>
                  <TextInput
                    size="xs"
                    label={`${t('reconciliation.mode.accountId')} ${i + 1}`}
                    value={s.accountId}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      setSplits((all) => all.map((x, j) => (j === i ? { ...x, accountId: v } : x)));
                    }}
                  />
                  <TextInput
                    size="xs"
                    label={`${t('reconciliation.splitAmount')} ${i + 1}`}
                    value={s.amount}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      setSplits((all) => all.map((x, j) => (j === i ? { ...x, amount: v } : x)));
                    }}
                  />
                </Group>
              ))}
              {m.field.splits && (
                <Text size="xs" c="red.9" role="alert">
                  {m.field.splits}
                </Text>
              )}
              <Group gap="xs">
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => setSplits((all) => [...all, { accountId: '', amount: '' }])}
                >
                  {t('reconciliation.addSplit')}
                </Button>
              </Group>
            </Stack>
          )}
          <Group>
            <Button
              size="xs"
              loading={busy === 'chosen'}
              disabled={busy !== null}
              onClick={() => void apply(chosen(), 'chosen')}
            >
              {t('reconciliation.apply')}
            </Button>
          </Group>
        </Stack>
      )}
      {open === 'ignore' && (
        <Group gap="xs" align="flex-end">
          <TextInput
            size="xs"
            label={t('reconciliation.reason')}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={m.field.reason}
            style={{ flex: 1 }}
          />
          <Button
            size="xs"
            color="red.9"
            loading={busy === 'ignore'}
            disabled={busy !== null}
            onClick={() => void ignore()}
          >
            {t('reconciliation.ignoreConfirm')}
          </Button>
        </Group>
      )}
      {m.other && (
        <Alert color="red" role="alert" p="xs">
          {m.other}
        </Alert>
      )}
    </Stack>
  );
}

export default function ReconciliationPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const queue = useQuery({
    queryKey: ['statements-unmatched'],
    queryFn: async () => unwrap(await api.GET('/v1/statements/unmatched', { params: { query: { limit: 200 } } })),
  });
  const finished = (text: string) => {
    setDone(text);
    void queryClient.invalidateQueries({ queryKey: ['statements-unmatched'] });
  };
  return (
    <Stack>
      <Title order={1}>{t('reconciliation.title')}</Title>
      {user?.role === 'supervisor' && <Upload />}
      <Card withBorder>
        <Group justify="space-between">
          <Title order={2} size="h4">
            {t('reconciliation.queue')}
          </Title>
          <Button size="xs" variant="default" onClick={() => void queue.refetch()} loading={queue.isFetching}>
            {t('app.retry')}
          </Button>
        </Group>
        <div role="status">{done && <Text size="sm">{done}</Text>}</div>
        {queue.isError && (
          <Alert color="red" role="alert">
            {errorText(queue.error)}
          </Alert>
        )}
        {queue.data && queue.data.items.length === 0 && <Text>{t('reconciliation.empty')}</Text>}
        {queue.data && queue.data.items.length > 0 && (
          <Table data-testid="reconciliation-queue" verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('reconciliation.date')}</Table.Th>
                <Table.Th scope="col">{t('reconciliation.amount')}</Table.Th>
                <Table.Th scope="col">{t('reconciliation.reference')}</Table.Th>
                <Table.Th scope="col">{t('reconciliation.remittance')}</Table.Th>
                <Table.Th scope="col">{t('reconciliation.suggestions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {queue.data.items.map((line) => (
                <Table.Tr key={line.id} data-line={line.id}>
                  <Table.Td>{line.bookingDate}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{money(line.amount, line.currency)}</Table.Td>
                  <Table.Td>{line.bankReference ?? line.endToEndId ?? '—'}</Table.Td>
                  <Table.Td>
                    {line.remittance ?? '—'}
                    {line.counterpartyName && <Text size="xs">{line.counterpartyName}</Text>}
                    {line.queueReason && <Text size="xs">{line.queueReason}</Text>}
                  </Table.Td>
                  <Table.Td miw={320}>
                    <LineActions line={line} onDone={finished} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </Stack>
  );
}
