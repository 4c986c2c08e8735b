// Beside the editor: the sample debtor's journey under the draft (POST /v1/strategies/simulate) and the selected
// step's templates in Spanish and English (POST /v1/strategies/template-preview). Both redraw 400 ms after the last
// keystroke; a newer draft replaces the query key, so TanStack Query aborts the stale request (its AbortSignal).
import {
  Alert,
  Badge,
  Card,
  Group,
  Loader,
  NativeSelect,
  SimpleGrid,
  Stack,
  Text,
  Timeline,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ApiError, errorText, unwrap } from '../../api/problem';
import { money } from '../../lib/format';
import { editorPath, parse, SAMPLE, sampleScenario, type Definition } from './definition';

export const PREVIEW_DEBOUNCE_MS = 400;

interface Entry {
  at: string;
  day: number;
  stage: string;
  type: string;
  [k: string]: unknown;
}

const ENTRY_TEXTS = new Set([
  'opened',
  'stage_entered',
  'message',
  'task',
  'deferred',
  'skipped',
  'promise_accepted',
  'promise_rejected',
  'promise_kept',
  'promise_broken',
  'payment',
  'closed',
]);
const COLORS: Record<string, string> = {
  stage_entered: 'blue',
  message: 'teal',
  task: 'grape',
  deferred: 'orange',
  skipped: 'gray',
  promise_accepted: 'cyan',
  promise_kept: 'green',
  promise_broken: 'red',
  promise_rejected: 'red',
  payment: 'green',
  closed: 'dark',
};

/** "2026-03-09T07:00:00-06:00" → "2026-03-09 07:00": the debtor's own local time, as the simulator states it. */
const localTime = (at: unknown) => (typeof at === 'string' ? at.slice(0, 16).replace('T', ' ') : '');

/** The problem's field errors (named as the editor names paths), else its detail. */
export function ProblemList({ error, testId }: { error: unknown; testId?: string }) {
  const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  return (
    <Stack gap={2} data-testid={testId}>
      {fields.length === 0 && <Text c="red.9">{errorText(error)}</Text>}
      {fields.map((e) => (
        <Text key={`${e.field}-${e.message}`} c="red.9" size="sm">
          <code>{editorPath(e.field)}</code>: {e.message}
        </Text>
      ))}
    </Stack>
  );
}

function EntryText({ entry, currency }: { entry: Entry; currency: string }) {
  const { t } = useTranslation();
  const str = (k: string) => {
    const v = entry[k];
    return typeof v === 'string' ? v : '';
  };
  const amount = (k: string) => (str(k) ? money(str(k), currency) : '');
  const reason =
    entry.type === 'stage_entered' ? t(`strategies.preview.reason.${str('reason')}`, str('reason')) : str('reason');
  const key = ENTRY_TEXTS.has(entry.type) ? entry.type : 'other';
  return t(`strategies.preview.entry.${key}`, {
    stage: entry.stage,
    type: entry.type,
    channel: str('channel'),
    template: str('template'),
    priority: str('priority'),
    reason,
    until: localTime(entry.until),
    amount: amount('amount'),
    paid: amount('paid'),
    dueDate: str('dueDate'),
    status: str('status'),
  });
}

function JourneyTimeline({ text }: { text: string }) {
  const { t } = useTranslation();
  const { def, error: parseError } = useMemo(() => parse(text), [text]);
  const sim = useQuery({
    queryKey: ['strategy-simulate', text],
    enabled: Boolean(def),
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.POST('/v1/strategies/simulate', {
          body: { scenario: sampleScenario, definition: def ?? {} },
          signal,
        }),
      ),
  });
  const timeline = (sim.data?.timeline ?? []) as Entry[];
  return (
    <Stack gap="xs" aria-busy={sim.isFetching} data-testid="simulation">
      <Text size="sm">
        {t('strategies.preview.sample', {
          amount: money(SAMPLE.amount, SAMPLE.currency),
          dueDate: SAMPLE.dueDate,
          promiseDay: SAMPLE.promiseDay,
          paid: money(SAMPLE.paid, SAMPLE.currency),
        })}
      </Text>
      {parseError ? (
        <Alert color="red" role="alert" title={t('strategies.preview.invalid')}>
          JSON: {parseError}
        </Alert>
      ) : sim.isError ? (
        <Alert color="red" role="alert" title={t('strategies.preview.invalid')}>
          <ProblemList error={sim.error} testId="simulation-errors" />
        </Alert>
      ) : sim.data ? (
        <>
          <Group gap="xs">
            <Text fw={600} data-testid="simulation-result">
              {t('strategies.preview.result', {
                status: sim.data.status,
                balance: money(sim.data.balance, SAMPLE.currency),
              })}
            </Text>
            {sim.isFetching && <Loader size="xs" aria-label={t('strategies.preview.updating')} />}
          </Group>
          <Timeline bulletSize={14} lineWidth={2} active={timeline.length} data-testid="journey">
            {timeline.map((entry, i) => (
              <Timeline.Item
                key={`${entry.at}-${entry.type}-${i}`}
                color={COLORS[entry.type] ?? 'gray'}
                data-type={entry.type}
                title={
                  <Group gap={6}>
                    <Badge variant="light" color="gray" size="sm">
                      {t('strategies.preview.day', { day: entry.day })}
                    </Badge>
                    <Text size="sm" fw={500}>
                      <EntryText entry={entry} currency={SAMPLE.currency} />
                    </Text>
                  </Group>
                }
              >
                <Text size="xs" c="gray.7">
                  {localTime(entry.at)} · {t('common.stage')}: {entry.stage}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </>
      ) : (
        <Loader size="sm" aria-label={t('app.loading')} />
      )}
    </Stack>
  );
}

interface MessageStep {
  key: string;
  label: string;
  template: string;
}

function messageSteps(def: Definition | null): MessageStep[] {
  return (def?.stages ?? []).flatMap((stage, si) =>
    (stage.steps ?? []).flatMap((step, i) =>
      step.action === 'message' && step.template
        ? [
            {
              key: `${si}/${i}`,
              label: `${stage.id ?? '?'} · ${step.day ?? '?'} · ${step.channel ?? '?'} · ${step.template}`,
              template: step.template,
            },
          ]
        : [],
    ),
  );
}

const LOCALES = [
  { locale: 'es-MX', label: 'strategies.templates.es', lang: 'es' },
  { locale: 'en-US', label: 'strategies.templates.en', lang: 'en' },
] as const;

function TemplatePreview({ text }: { text: string }) {
  const { t } = useTranslation();
  const def = useMemo(() => parse(text).def, [text]);
  const steps = useMemo(() => messageSteps(def), [def]);
  const [selected, setSelected] = useState('');
  const step = steps.find((s) => s.key === selected) ?? steps[0];
  const preview = useQuery({
    queryKey: ['strategy-template-preview', text, step?.template],
    enabled: Boolean(def && step),
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.POST('/v1/strategies/template-preview', {
          body: { definition: def ?? {}, templates: [step?.template ?? ''], locales: LOCALES.map((l) => l.locale) },
          signal,
        }),
      ),
  });
  if (!def) return null;
  if (!step) return <Text size="sm">{t('strategies.templates.none')}</Text>;
  const rendered = preview.data?.templates[0];
  return (
    <Stack gap="xs" aria-busy={preview.isFetching} data-testid="template-preview">
      <NativeSelect
        label={t('strategies.templates.step')}
        value={step.key}
        onChange={(e) => setSelected(e.currentTarget.value)}
        data={steps.map((s) => ({ value: s.key, label: s.label }))}
      />
      {preview.isError && <ProblemList error={preview.error} />}
      {!preview.isError && rendered && (
        <>
          <Text size="sm" c="gray.7">
            {rendered.name} · {t(`strategies.templates.source.${rendered.source}`)}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {LOCALES.map((l, i) => {
              const r = rendered.renders[i];
              return (
                <Card key={l.locale} withBorder p="xs" data-testid={`template-${l.lang}`}>
                  <Title order={3} size="h6">
                    {t(l.label)} ({r?.resolvedLocale ?? l.locale})
                  </Title>
                  {r?.subject && (
                    <Text size="sm" fw={600}>
                      {t('strategies.templates.subject')}: <span lang={l.lang}>{r.subject}</span>
                    </Text>
                  )}
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} lang={l.lang}>
                    {r?.body}
                  </Text>
                  {r && r.unset.length > 0 && (
                    <Text size="xs" c="gray.8" mt={4}>
                      {t('strategies.templates.unset', { names: r.unset.join(', ') })}
                    </Text>
                  )}
                </Card>
              );
            })}
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}

/** The live previews of the editor's current text. */
export default function SimulationPreview({ text }: { text: string }) {
  const { t } = useTranslation();
  const [debounced] = useDebouncedValue(text, PREVIEW_DEBOUNCE_MS);
  return (
    <>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          {t('strategies.preview.title')}
        </Title>
        <JourneyTimeline text={debounced} />
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          {t('strategies.templates.title')}
        </Title>
        <TemplatePreview text={debounced} />
      </Card>
    </>
  );
}
