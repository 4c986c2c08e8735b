// Rollout in two steps: a dry run (POST …/rollout with dryRun) says how many running accounts would move, by the
// version they are on; only then does the confirm button move them (the same request without dryRun).
import { Alert, Button, Card, Group, List, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemList } from './SimulationPreview';

export default function RolloutPanel({ strategyId, versions }: { strategyId: string; versions: number[] }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [version, setVersion] = useState('');
  const call = (dryRun: boolean) =>
    api.POST('/v1/strategies/{strategyId}/rollout', {
      params: { path: { strategyId } },
      body: { version: Number(version), dryRun },
    });
  const dryRun = useMutation({
    mutationFn: async () => {
      const r = unwrap(await call(true));
      return { version: Number(version), accounts: r.accounts, byVersion: 'byVersion' in r ? r.byVersion : [] };
    },
  });
  const confirm = useMutation({
    mutationFn: async () => unwrap(await call(false)),
    onSuccess: () => {
      dryRun.reset();
      void queryClient.invalidateQueries({ queryKey: ['strategies'] });
    },
  });
  const checked = dryRun.data && dryRun.data.version === Number(version) ? dryRun.data : null;
  const choose = (v: string) => {
    setVersion(v);
    dryRun.reset();
    confirm.reset();
  };
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {t('strategies.rollout')}
      </Title>
      <Group align="flex-end">
        <NativeSelect
          label={t('strategies.version')}
          value={version}
          onChange={(e) => choose(e.currentTarget.value)}
          data={['', ...versions.map(String)]}
        />
        <Button variant="default" disabled={!version} loading={dryRun.isPending} onClick={() => dryRun.mutate()}>
          {t('strategies.dryRun')}
        </Button>
        <Button
          color="red"
          disabled={!checked || checked.accounts === 0}
          loading={confirm.isPending}
          onClick={() => confirm.mutate()}
        >
          {t('strategies.rolloutSteps.confirm')}
        </Button>
      </Group>
      <Stack gap="xs" mt="sm" aria-live="polite" data-testid="rollout">
        {version && !checked && !confirm.data && <Text size="sm">{t('strategies.rolloutSteps.dryRunFirst')}</Text>}
        {checked && (
          <Alert color="blue" role="status">
            <Text fw={600}>{t('strategies.wouldMove', { count: checked.accounts })}</Text>
            {checked.byVersion.length > 0 && (
              <List size="sm">
                {checked.byVersion.map((b) => (
                  <List.Item key={String(b.version)}>
                    {t('strategies.rolloutSteps.byVersion', {
                      version: b.version ?? t('strategies.rolloutSteps.noVersion'),
                      count: b.accounts,
                    })}
                  </List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
        {confirm.data && (
          <Alert color="green" role="status">
            {t('strategies.rolloutSteps.moved', { count: confirm.data.accounts, version: confirm.data.version })}
          </Alert>
        )}
        {(dryRun.isError || confirm.isError) && (
          <Alert color="red" role="alert">
            <ProblemList error={dryRun.error ?? confirm.error} />
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
