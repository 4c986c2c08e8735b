// The distribution rule and its parameters: the agents (round robin, capacity), each agent's capacity, or the
// segment mapping (what the segment is read from, each value's agents). The API's messages sit beside each field.
import { Button, CloseButton, Fieldset, Group, NativeSelect, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import {
  agentList,
  RULES,
  SEGMENT_BY,
  segmentRowErrors,
  type FieldMessages,
  type Rule,
  type RuleDraft,
  type SegmentBy,
} from './assignment';

export function RuleForm({
  draft,
  onChange,
  messages,
}: {
  draft: RuleDraft;
  onChange: (d: RuleDraft) => void;
  messages: FieldMessages;
}) {
  const { t } = useTranslation();
  const agents = agentList(draft.agents);
  const set = (patch: Partial<RuleDraft>) => onChange({ ...draft, ...patch });
  return (
    <Stack gap="xs">
      <NativeSelect
        name="rule"
        label={t('distribution.rule')}
        description={t(`distribution.ruleHelp.${draft.rule}`)}
        value={draft.rule}
        onChange={(e) => set({ rule: e.currentTarget.value as Rule })}
        data={RULES.map((r) => ({ value: r, label: t(`distribution.rules.${r}`) }))}
        error={messages.of('rule')}
        w={420}
      />
      {draft.rule !== 'segment' && (
        <TextInput
          name="agents"
          label={t('distribution.agents')}
          description={t('distribution.agentsList')}
          value={draft.agents}
          onChange={(e) => set({ agents: e.currentTarget.value })}
          error={messages.of('agents', agents)}
          w={420}
        />
      )}
      {draft.rule === 'capacity' && (
        <Fieldset legend={t('distribution.capacities')} variant="unstyled">
          <Group align="flex-start">
            {agents.map((a) => (
              <NumberInput
                key={a}
                name={`capacity.${a}`}
                label={t('distribution.capacityOf', { agent: a })}
                min={0}
                max={1_000_000}
                allowDecimal={false}
                allowNegative={false}
                value={draft.capacity[a] ?? ''}
                onChange={(v) => set({ capacity: { ...draft.capacity, [a]: String(v) } })}
                error={messages.of(`capacity.${a}`)}
                w={200}
              />
            ))}
          </Group>
          <GroupError message={messages.of('capacity')} />
        </Fieldset>
      )}
      {draft.rule === 'segment' && <SegmentMapping draft={draft} set={set} messages={messages} />}
    </Stack>
  );
}

/** The API's message for a whole group of fields (the capacities, the segment mapping). */
function GroupError({ message }: { message: string | undefined }) {
  return message ? (
    <Text c="red.9" size="sm">
      {message}
    </Text>
  ) : null;
}

function SegmentMapping({
  draft,
  set,
  messages,
}: {
  draft: RuleDraft;
  set: (patch: Partial<RuleDraft>) => void;
  messages: FieldMessages;
}) {
  const { t } = useTranslation();
  const rowErrors = segmentRowErrors(draft.segments);
  const row = (key: number, patch: { value?: string; agents?: string }) =>
    set({ segments: draft.segments.map((s) => (s.key === key ? { ...s, ...patch } : s)) });
  const nextKey = Math.max(-1, ...draft.segments.map((s) => s.key)) + 1;
  return (
    <Fieldset legend={t('distribution.segments')} variant="unstyled">
      <Group align="flex-start">
        <NativeSelect
          name="segmentBy"
          label={t('distribution.segmentBy')}
          value={draft.segmentBy}
          onChange={(e) => set({ segmentBy: e.currentTarget.value as SegmentBy })}
          data={SEGMENT_BY.map((s) => ({ value: s, label: t(`distribution.segmentByOptions.${s}`) }))}
          error={messages.of('segmentBy')}
        />
        {draft.segmentBy === 'attribute' && (
          <TextInput
            name="attribute"
            label={t('distribution.attribute')}
            value={draft.attribute}
            onChange={(e) => set({ attribute: e.currentTarget.value })}
            error={messages.of('attribute')}
          />
        )}
      </Group>
      <Stack gap={4} mt="xs">
        {draft.segments.map((s, i) => {
          const value = s.value.trim();
          const clientError = rowErrors.get(s.key);
          return (
            <Group key={s.key} align="flex-start" gap="xs">
              <TextInput
                name={`segment-value-${i}`}
                label={t('distribution.segmentValue', { n: i + 1 })}
                value={s.value}
                onChange={(e) => row(s.key, { value: e.currentTarget.value })}
                error={clientError ? t(`distribution.segmentValueError.${clientError}`) : undefined}
              />
              <TextInput
                name={`segment-agents-${i}`}
                label={t('distribution.segmentAgents', { n: i + 1 })}
                description={t('distribution.agentsList')}
                value={s.agents}
                onChange={(e) => row(s.key, { agents: e.currentTarget.value })}
                error={value ? messages.of(`segments.${value}`, agentList(s.agents)) : undefined}
                w={320}
              />
              <CloseButton
                mt={24}
                aria-label={t('distribution.removeSegment', { n: i + 1 })}
                onClick={() => set({ segments: draft.segments.filter((x) => x.key !== s.key) })}
              />
            </Group>
          );
        })}
      </Stack>
      <Button
        variant="default"
        size="xs"
        mt="xs"
        onClick={() => set({ segments: [...draft.segments, { key: nextKey, value: '', agents: '' }] })}
      >
        {t('distribution.addSegment')}
      </Button>
      <GroupError message={messages.of('segments')} />
    </Fieldset>
  );
}
