// Admin: API keys for systems (the key is shown once, when created) and their revocation.
import { Alert, Button, Card, Code, Group, NativeSelect, Stack, Table, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, rawFetch } from '../../api/client';
import { ApiError, errorText, unwrap } from '../../api/problem';
import { formText } from '../../lib/form';
import { dateTime } from '../../lib/format';
import { useAction } from '../account/useAction';

const ROLES = ['system', 'admin', 'supervisor', 'strategist', 'agent'] as const;

export default function ApiKeysPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: async () => unwrap(await api.GET('/v1/api-keys', {})) });
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const revoke = useAction([['api-keys']]);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setError(null);
    setShown(null);
    try {
      const role = formText(data, 'role') as (typeof ROLES)[number];
      const agentId = formText(data, 'agentId').trim();
      const created = unwrap(
        await api.POST('/v1/api-keys', {
          body: { name: formText(data, 'name').trim(), role, ...(role === 'agent' && agentId ? { agentId } : {}) },
        }),
      );
      setShown(created.key);
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Stack>
      <Title order={1}>{t('admin.apiKeys')}</Title>
      {keys.isError && (
        <Alert color="red" role="alert">
          {errorText(keys.error)}
        </Alert>
      )}
      <Card withBorder>
        <form onSubmit={(e) => void submit(e)} noValidate aria-label={t('admin.newKey')}>
          <Group align="flex-end">
            <TextInput
              name="name"
              label={t('common.name')}
              required
              error={
                error instanceof ApiError
                  ? (error.problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ') ?? errorText(error))
                  : error
                    ? errorText(error)
                    : undefined
              }
            />
            <NativeSelect name="role" label={t('common.role')} data={[...ROLES]} />
            <TextInput name="agentId" label={t('admin.agentId')} />
            <Button type="submit">{t('admin.newKey')}</Button>
          </Group>
        </form>
        {shown && (
          <Alert color="green" mt="sm" role="status">
            {t('admin.keyShown')} <Code data-testid="new-key">{shown}</Code>
          </Alert>
        )}
      </Card>
      <Card withBorder>
        <Table data-testid="api-keys">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('common.name')}</Table.Th>
              <Table.Th scope="col">{t('common.role')}</Table.Th>
              <Table.Th scope="col">{t('admin.agentId')}</Table.Th>
              <Table.Th scope="col">{t('common.created')}</Table.Th>
              <Table.Th scope="col">{t('common.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.data?.items
              .filter((k) => !k.revokedAt)
              .map((k) => (
                <Table.Tr key={k.id}>
                  <Table.Td>{k.name}</Table.Td>
                  <Table.Td>{k.role}</Table.Td>
                  <Table.Td>{k.agentId ?? '—'}</Table.Td>
                  <Table.Td>{dateTime(k.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      color="red.9"
                      variant="outline"
                      aria-label={`${t('admin.revoke')} ${k.name}`}
                      onClick={() =>
                        void revoke.run(async () => {
                          // No body, so no content type (Fastify refuses an empty JSON body).
                          const response = await rawFetch(`/v1/api-keys/${encodeURIComponent(k.id)}`, {
                            method: 'DELETE',
                          });
                          const error = response.ok ? undefined : await response.json().catch(() => ({}));
                          return { response, error };
                        })
                      }
                    >
                      {t('admin.revoke')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
          </Table.Tbody>
        </Table>
        {revoke.generalError([]) && <Alert color="red">{revoke.generalError([])}</Alert>}
      </Card>
    </Stack>
  );
}
