// The strategy editor: form and code views of the same definition, validated as you type (POST
// /v1/strategies/validate, errors at their path); beside it a sample debtor's simulated journey and the step's
// templates in both languages (SimulationPreview), the draft's portfolio KPIs against the published version,
// the semantic diff of two versions, save draft, publish, and a rollout that dry-runs first.
import {
  Alert,
  Button,
  Card,
  Grid,
  Group,
  NativeSelect,
  NumberInput,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiError, errorText, unwrap } from '../../api/problem';
import type { PathError } from './CodeEditor';
import { parse, type Definition } from './definition';
import PortfolioPanel from './PortfolioPanel';
import RolloutPanel from './RolloutPanel';
import SimulationPreview from './SimulationPreview';

const CodeEditor = lazy(() => import('./CodeEditor'));

async function loadDefinition(id: string): Promise<{ text: string; versions: number[] }> {
  const versions = await api.GET('/v1/strategies/{id}/versions', { params: { path: { id } } });
  const list = versions.response.ok ? (versions.data?.versions.map((v) => v.version) ?? []) : [];
  const draft = await api.GET('/v1/strategies/{id}/draft', { params: { path: { id } } });
  if (draft.response.ok && draft.data) return { text: JSON.stringify(draft.data.definition, null, 2), versions: list };
  const latest = list.at(-1);
  if (latest !== undefined) {
    const v = unwrap(
      await api.GET('/v1/strategies/{id}/versions/{version}', { params: { path: { id, version: latest } } }),
    );
    return { text: JSON.stringify(v.definition, null, 2), versions: list };
  }
  // A new strategy: the smallest definition, to be filled in.
  const blank = {
    id,
    name: id,
    jurisdiction: 'MX',
    stages: [{ id: 'early', kind: 'administrative', fromDay: 1, steps: [] }],
  };
  return { text: JSON.stringify(blank, null, 2), versions: [] };
}

export default function StrategyEditorPage() {
  const { strategyId = '' } = useParams();
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const loaded = useQuery({ queryKey: ['strategy-def', strategyId], queryFn: () => loadDefinition(strategyId) });
  const [text, setText] = useState<string | null>(null);
  const current = text ?? loaded.data?.text ?? '';
  const { def, error: parseError } = useMemo(() => parse(current), [current]);
  const [errors, setErrors] = useState<PathError[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const versions = loaded.data?.versions ?? [];
  const [diffFrom, setDiffFrom] = useState<string>('');
  const [diffTo, setDiffTo] = useState<string>('');

  // Live validation, 300 ms after the last keystroke.
  useEffect(() => {
    if (!def) return;
    const timer = setTimeout(() => {
      void api.POST('/v1/strategies/validate', { body: def }).then((r) => {
        if (r.data) setErrors(r.data.errors);
      });
    }, 300);
    return () => clearTimeout(timer);
  }, [def]);

  const setDef = (next: Definition) => setText(JSON.stringify(next, null, 2));
  const fieldError = (field: string) => errors.find((e) => e.field === field)?.message;

  const diff = useQuery({
    queryKey: ['diff', strategyId, diffFrom, diffTo],
    enabled: Boolean(diffFrom && diffTo),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/strategies/{id}/diff', {
          params: { path: { id: strategyId }, query: { from: Number(diffFrom), to: Number(diffTo) } },
        }),
      ),
  });

  const act = async (fn: () => Promise<string>) => {
    setMessage(null);
    try {
      setMessage({ ok: true, text: await fn() });
      void queryClient.invalidateQueries({ queryKey: ['strategy-def', strategyId] });
      void queryClient.invalidateQueries({ queryKey: ['strategies'] });
    } catch (err) {
      if (err instanceof ApiError && err.problem.errors) setErrors(err.problem.errors);
      setMessage({ ok: false, text: errorText(err) });
    }
  };
  const saveDraft = () =>
    act(async () => {
      const saved = unwrap(
        await api.PUT('/v1/strategies/{id}/draft', { params: { path: { id: strategyId } }, body: def ?? {} }),
      );
      setText(null);
      return `${t('strategies.draft')}: ${saved.updatedAt}`;
    });
  const publish = () =>
    act(async () => {
      const v = unwrap(
        await api.POST('/v1/strategies/{id}/publish', { params: { path: { id: strategyId } }, body: {} }),
      );
      return `${t('strategies.published')}: v${v.version}`;
    });
  return (
    <Stack>
      <Title order={1}>
        {t('strategies.editor')}: {strategyId}
      </Title>
      {loaded.isError && (
        <Alert color="red" role="alert">
          {errorText(loaded.error)}
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Card withBorder>
            <Tabs defaultValue="form">
              <Tabs.List>
                <Tabs.Tab value="form">{t('strategies.form')}</Tabs.Tab>
                <Tabs.Tab value="code">{t('strategies.code')}</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="form" pt="sm">
                {def ? (
                  <Stack gap="xs">
                    <TextInput
                      label={t('common.name')}
                      value={def.name ?? ''}
                      onChange={(e) => setDef({ ...def, name: e.currentTarget.value })}
                      error={fieldError('name')}
                    />
                    <Group grow>
                      {(['maxDaysAhead', 'minPercent', 'graceDays'] as const).map((k) => (
                        <NumberInput
                          key={k}
                          label={`promise.${k}`}
                          value={def.promise?.[k] ?? ''}
                          onChange={(v) =>
                            setDef({ ...def, promise: { ...def.promise, [k]: typeof v === 'number' ? v : undefined } })
                          }
                          error={fieldError(`promise.${k}`)}
                        />
                      ))}
                    </Group>
                    {(def.stages ?? []).map((stage, si) => (
                      <Card key={si} withBorder p="xs">
                        <Group grow>
                          <TextInput
                            label={`${t('common.stage')} ${si + 1}`}
                            value={stage.id ?? ''}
                            onChange={(e) => {
                              const stages = [...(def.stages ?? [])];
                              stages[si] = { ...stage, id: e.currentTarget.value };
                              setDef({ ...def, stages });
                            }}
                            error={fieldError(`stages[${si}].id`)}
                          />
                          <NumberInput
                            label="fromDay"
                            value={stage.fromDay ?? ''}
                            onChange={(v) => {
                              const stages = [...(def.stages ?? [])];
                              stages[si] = { ...stage, fromDay: typeof v === 'number' ? v : undefined };
                              setDef({ ...def, stages });
                            }}
                            error={fieldError(`stages[${si}].fromDay`)}
                          />
                        </Group>
                        {(stage.steps ?? []).map((step, i) => (
                          <Text
                            key={i}
                            size="sm"
                            c={fieldError(`stages[${si}].steps[${i}].channel`) ? 'red.9' : undefined}
                          >
                            {t('strategies.steps')} {i + 1}: day {step.day} · {step.action} · {step.channel}{' '}
                            {step.template ?? step.priority ?? ''}
                          </Text>
                        ))}
                      </Card>
                    ))}
                  </Stack>
                ) : (
                  <Text c="red.9">{parseError}</Text>
                )}
              </Tabs.Panel>
              <Tabs.Panel value="code" pt="sm">
                <Suspense fallback={<Text>{t('app.loading')}</Text>}>
                  {loaded.data && (
                    <CodeEditor value={current} onChange={setText} errors={errors} label={t('strategies.code')} />
                  )}
                </Suspense>
              </Tabs.Panel>
            </Tabs>
            <Stack gap={4} mt="sm" aria-live="polite" data-testid="validation">
              {parseError && <Text c="red.9">JSON: {parseError}</Text>}
              {!parseError && errors.length === 0 && <Text>{t('strategies.valid')}</Text>}
              {errors.map((e) => (
                <Text key={`${e.field}-${e.message}`} c="red.9">
                  {e.field}: {e.message}
                </Text>
              ))}
            </Stack>
            <Group mt="sm">
              <Button onClick={() => void saveDraft()} disabled={!def}>
                {t('strategies.saveDraft')}
              </Button>
              <Button variant="default" onClick={() => void publish()}>
                {t('strategies.publish')}
              </Button>
            </Group>
            {message && (
              <Alert mt="sm" color={message.ok ? 'green' : 'red'} role={message.ok ? 'status' : 'alert'}>
                {message.text}
              </Alert>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack>
            <SimulationPreview text={current} />
            <PortfolioPanel strategyId={strategyId} def={def} />
            <Card withBorder>
              <Title order={2} size="h4">
                {t('strategies.diff')}
              </Title>
              <Group grow>
                <NativeSelect
                  label={t('common.from')}
                  value={diffFrom}
                  onChange={(e) => setDiffFrom(e.currentTarget.value)}
                  data={['', ...versions.map(String)]}
                />
                <NativeSelect
                  label={t('common.to')}
                  value={diffTo}
                  onChange={(e) => setDiffTo(e.currentTarget.value)}
                  data={['', ...versions.map(String)]}
                />
              </Group>
              {diff.isError && <Text c="red.9">{errorText(diff.error)}</Text>}
              {diff.data && (
                <Table data-testid="diff">
                  <Table.Tbody>
                    {diff.data.changes.map((c) => (
                      <Table.Tr key={c.path}>
                        <Table.Td>{c.path}</Table.Td>
                        <Table.Td>{JSON.stringify(c.before)}</Table.Td>
                        <Table.Td>{JSON.stringify(c.after)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Card>
            <RolloutPanel strategyId={strategyId} versions={versions} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
