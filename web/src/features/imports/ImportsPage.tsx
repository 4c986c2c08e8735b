// Imports: pick a file, see its columns and the field each feeds before it runs (a CSV's header row is read
// here; an XLSX's by the API), upload, follow the job's progress and read its per-line errors.
import {
  Alert,
  Button,
  Card,
  FileInput,
  Group,
  NativeSelect,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, rawFetch } from '../../api/client';
import { ApiError, errorText, unwrap, type Problem } from '../../api/problem';
import { dateTime } from '../../lib/format';
import { LineErrors } from '../shared/LineErrors';

/** The fields a column can feed (POST /v1/imports `mapping`, as its OpenAPI description lists them). */
const FIELDS = [
  'externalId',
  'debtor.externalId',
  'debtor.name',
  'debtor.kind',
  'debtor.email',
  'debtor.phone',
  'debtor.country',
  'debtor.timezone',
  'debtor.locale',
  'amount',
  'currency',
  'dueDate',
  'issuedAt',
  'strategyId',
];

/** The header row of a CSV (quoted cells, comma or semicolon separated). */
export function csvHeaders(firstLine: string): string[] {
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < firstLine.length; i++) {
    const c = firstLine[i];
    if (quoted) {
      if (c === '"' && firstLine[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      out.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  out.push(cell.trim());
  return out.filter(Boolean);
}

function Job({ jobId }: { jobId: string }) {
  const { t } = useTranslation();
  const job = useQuery({
    queryKey: ['import', jobId],
    queryFn: async () => unwrap(await api.GET('/v1/imports/{jobId}', { params: { path: { jobId } } })),
    refetchInterval: (q) => (q.state.data && ['completed', 'failed'].includes(q.state.data.status) ? false : 1000),
  });
  const errors = useQuery({
    queryKey: ['import-errors', jobId, job.data?.status],
    enabled: Boolean(job.data && job.data.failedLines && job.data.failedLines > 0),
    queryFn: async () =>
      unwrap(await api.GET('/v1/imports/{jobId}/errors', { params: { path: { jobId }, query: { limit: 100 } } })),
  });
  const j = job.data;
  if (!j) return <Text>{job.isError ? errorText(job.error) : t('app.loading')}</Text>;
  const pct = j.totalLines
    ? Math.round(((j.processedLines ?? 0) / j.totalLines) * 100)
    : j.status === 'completed'
      ? 100
      : 0;
  return (
    <Card withBorder data-testid="import-job">
      <Group justify="space-between">
        <Text fw={600}>{j.filename ?? j.jobId}</Text>
        <Text data-testid="import-status">{j.status}</Text>
      </Group>
      <Progress value={pct} aria-label={t('imports.progress')} mt="xs" />
      <Text size="sm" mt="xs">
        {t('imports.rows')}: {j.processedLines ?? 0}/{j.totalLines ?? '?'} · ✓ {j.succeededLines ?? 0} · ✗{' '}
        {j.failedLines ?? 0}
        {j.summary ? ` — ${j.summary}` : ''}
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
      {errors.data && <LineErrors lines={errors.data.items} testId="import-errors" />}
    </Card>
  );
}

export default function ImportsPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [headers, setHeaders] = useState<string[]>([]);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const jobs = useQuery({
    queryKey: ['imports'],
    queryFn: async () => unwrap(await api.GET('/v1/imports', { params: { query: { limit: 20 } } })),
  });

  const pick = async (f: File | null) => {
    setFile(f);
    setMapping({});
    setError(null);
    if (f && /\.csv$/i.test(f.name)) {
      const head = await f.slice(0, 64 * 1024).text();
      setHeaders(csvHeaders(head.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? ''));
    } else setHeaders([]);
  };

  const upload = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    const body = new FormData();
    // Field by header, as the API takes it: {"debtor.externalId": "Cliente ID"}.
    const explicit = Object.fromEntries(Object.entries(mapping).map(([header, field]) => [field, header]));
    if (Object.keys(explicit).length > 0) body.set('mapping', JSON.stringify(explicit));
    body.set('filename', file.name);
    body.set('file', file, file.name);
    try {
      const res = await rawFetch('/v1/imports', { method: 'POST', body });
      const answer = (await res.json().catch(() => ({}))) as Problem & { jobId?: string };
      if (!res.ok) throw new ApiError(res.status, answer);
      setJobId(answer.jobId ?? null);
      void queryClient.invalidateQueries({ queryKey: ['imports'] });
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const fileError =
    error instanceof ApiError
      ? (error.problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ') ?? errorText(error))
      : error
        ? error.message
        : undefined;

  return (
    <Stack>
      <Title order={1}>{t('imports.title')}</Title>
      <Card withBorder>
        <Stack>
          <FileInput
            label={t('imports.file')}
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            value={file}
            onChange={(f) => void pick(f)}
            error={fileError}
          />
          {headers.length > 0 && (
            <>
              <Title order={2} size="h4">
                {t('imports.preview')}
              </Title>
              <Table data-testid="mapping-preview">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('imports.column')}</Table.Th>
                    <Table.Th scope="col">{t('imports.field')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {headers.map((h) => (
                    <Table.Tr key={h}>
                      <Table.Td>{h}</Table.Td>
                      <Table.Td>
                        <NativeSelect
                          aria-label={`${t('imports.field')}: ${h}`}
                          value={mapping[h] ?? ''}
                          onChange={(e) => {
                            const v = e.currentTarget.value;
                            setMapping((m) => {
                              const next = { ...m };
                              if (v) next[h] = v;
                              else delete next[h];
                              return next;
                            });
                          }}
                          data={[{ value: '', label: '(auto)' }, ...FIELDS]}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
          <Group>
            <Button onClick={() => void upload()} loading={busy} disabled={!file}>
              {t('imports.upload')}
            </Button>
          </Group>
        </Stack>
      </Card>
      {jobId && <Job jobId={jobId} />}
      <Card withBorder>
        <Title order={2} size="h4">
          {t('imports.jobs')}
        </Title>
        {jobs.isError && <Text c="red.9">{errorText(jobs.error)}</Text>}
        <Table>
          <Table.Tbody>
            {jobs.data?.items.map((j) => (
              <Table.Tr key={j.jobId}>
                <Table.Td>{j.filename ?? j.jobId.slice(0, 8)}</Table.Td>
                <Table.Td>{j.status}</Table.Td>
                <Table.Td>
                  {j.succeededLines ?? 0}/{j.totalLines ?? '?'}
                </Table.Td>
                <Table.Td>{dateTime(j.createdAt, i18n.language)}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="subtle" onClick={() => setJobId(j.jobId)}>
                    {t('common.open')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
