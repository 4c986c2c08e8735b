// The caller's saved filters (GET/POST/DELETE /v1/saved-filters, each person their own): save the current
// filters under a name (the same name again replaces them), apply one, delete one.
import { Alert, Button, CloseButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText, unwrap } from '../../api/problem';
import { FILTER_KEYS, listQuery, type AccountFilters } from '../shared/accountFilters';
import { useAction, type ActionState } from '../account/useAction';

const KEY = ['saved-filters', 'accounts'];

/** A saved query (typed: numbers as numbers) as the filter form's text values; keys the form lacks are left out. */
function asFilters(query: Record<string, unknown>): AccountFilters {
  const f: AccountFilters = {};
  for (const k of FILTER_KEYS) {
    const v = query[k];
    if (typeof v === 'string' || typeof v === 'number') f[k] = String(v);
  }
  return f;
}

export function SavedFilters({
  filters,
  onApply,
  save,
}: {
  filters: AccountFilters;
  onApply: (f: AccountFilters) => void;
  /** The save action: the page shows its `query.*` messages beside the filter fields. */
  save: ActionState;
}) {
  const { t } = useTranslation();
  const saved = useQuery({
    queryKey: KEY,
    queryFn: async () => unwrap(await api.GET('/v1/saved-filters', { params: { query: { resource: 'accounts' } } })),
  });
  const remove = useAction([KEY]);
  const [name, setName] = useState('');
  // What was last done, said once (a save, or which filter was deleted).
  const [notice, setNotice] = useState<string | null>(null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setNotice(null);
    const ok = await save.run(() =>
      api.POST('/v1/saved-filters', { body: { name: name.trim(), resource: 'accounts', query: listQuery(filters) } }),
    );
    if (ok) {
      setName('');
      setNotice(t('portfolio.filterSaved'));
    }
  };
  const items = saved.data?.items ?? [];

  return (
    <Stack gap="xs">
      <form onSubmit={(e) => void submit(e)} noValidate aria-label={t('portfolio.saveFilter')}>
        <Group align="flex-start">
          <TextInput
            name="filterName"
            label={t('portfolio.filterName')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={save.fieldError('name', true)}
          />
          <Button type="submit" variant="default" mt={24} loading={save.busy}>
            {t('portfolio.saveFilter')}
          </Button>
        </Group>
      </form>
      {saved.isError && (
        <Alert color="red" role="alert">
          {errorText(saved.error)}
        </Alert>
      )}
      <Group gap="xs" role="group" aria-label={t('portfolio.savedFilters')} data-testid="saved-filters">
        <Text size="sm" fw={600}>
          {t('portfolio.savedFilters')}:
        </Text>
        {saved.isSuccess && items.length === 0 && <Text size="sm">{t('portfolio.noSavedFilters')}</Text>}
        {items.map((f) => (
          <Group key={f.id} gap={0} wrap="nowrap">
            <Button
              size="xs"
              variant="light"
              color="dark"
              aria-label={t('portfolio.applyFilter', { name: f.name })}
              onClick={() => onApply(asFilters(f.query))}
            >
              {f.name}
            </Button>
            <CloseButton
              size="sm"
              aria-label={t('portfolio.deleteFilter', { name: f.name })}
              onClick={() => {
                setNotice(null);
                void remove
                  .run(() => api.DELETE('/v1/saved-filters/{id}', { params: { path: { id: f.id } } }))
                  .then((ok) => ok && setNotice(t('portfolio.filterDeleted', { name: f.name })));
              }}
            />
          </Group>
        ))}
      </Group>
      {notice && <Text role="status">{notice}</Text>}
      {remove.error !== null && (
        <Alert color="red" role="alert">
          {errorText(remove.error)}
        </Alert>
      )}
    </Stack>
  );
}
