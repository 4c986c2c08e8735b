// Admin: people who use the console (GET/POST /v1/users, PATCH to disable, enable or change role).
import { Alert, Button, Card, Group, NativeSelect, PasswordInput, Stack, Table, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText, unwrap } from '../../api/problem';
import { formText } from '../../lib/form';
import { dateTime } from '../../lib/format';
import { useAction } from '../account/useAction';

const ROLES = ['agent', 'supervisor', 'strategist', 'admin'] as const;
type UserRole = (typeof ROLES)[number];

export default function UsersPage() {
  const { t, i18n } = useTranslation();
  const users = useQuery({ queryKey: ['users'], queryFn: async () => unwrap(await api.GET('/v1/users', {})) });
  const create = useAction([['users']]);
  const toggle = useAction([['users']]);
  const [role, setRole] = useState<UserRole>('agent');

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const agentId = formText(data, 'agentId').trim();
    const ok = await create.run(() =>
      api.POST('/v1/users', {
        body: {
          email: formText(data, 'email').trim(),
          name: formText(data, 'name').trim(),
          role,
          password: formText(data, 'password'),
          locale: formText(data, 'locale') === 'en' ? 'en' : 'es',
          ...(role === 'agent' && agentId ? { agentId } : {}),
        },
      }),
    );
    if (ok) form.reset();
  };

  return (
    <Stack>
      <Title order={1}>{t('admin.users')}</Title>
      {users.isError && (
        <Alert color="red" role="alert">
          {errorText(users.error)}
        </Alert>
      )}
      <Card withBorder>
        <Table.ScrollContainer minWidth={640}>
          <Table data-testid="users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('common.email')}</Table.Th>
                <Table.Th scope="col">{t('common.name')}</Table.Th>
                <Table.Th scope="col">{t('common.role')}</Table.Th>
                <Table.Th scope="col">{t('admin.agentId')}</Table.Th>
                <Table.Th scope="col">{t('common.created')}</Table.Th>
                <Table.Th scope="col">{t('common.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data?.items.map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td>{u.email}</Table.Td>
                  <Table.Td>{u.name}</Table.Td>
                  <Table.Td>{u.role}</Table.Td>
                  <Table.Td>{u.agentId ?? '—'}</Table.Td>
                  <Table.Td>{dateTime(u.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`${u.disabled ? t('admin.enable') : t('admin.disable')} ${u.email}`}
                      onClick={() =>
                        void toggle.run(() =>
                          api.PATCH('/v1/users/{id}', {
                            params: { path: { id: u.id } },
                            body: { disabled: !u.disabled },
                          }),
                        )
                      }
                    >
                      {u.disabled ? t('admin.enable') : t('admin.disable')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {toggle.generalError([]) && <Alert color="red">{toggle.generalError([])}</Alert>}
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          {t('admin.newUser')}
        </Title>
        <form onSubmit={(e) => void submit(e)} noValidate aria-label={t('admin.newUser')}>
          <Stack gap="xs">
            <Group grow align="flex-start">
              <TextInput
                name="email"
                type="email"
                label={t('common.email')}
                required
                error={create.fieldError('email', true)}
              />
              <TextInput name="name" label={t('common.name')} required error={create.fieldError('name')} />
            </Group>
            <Group grow align="flex-start">
              <NativeSelect
                name="role"
                label={t('common.role')}
                value={role}
                onChange={(e) => setRole(e.currentTarget.value as UserRole)}
                data={[...ROLES]}
                error={create.fieldError('role')}
              />
              <TextInput
                name="agentId"
                label={t('admin.agentId')}
                disabled={role !== 'agent'}
                error={create.fieldError('agentId')}
              />
              <NativeSelect name="locale" label={t('nav.language')} data={['es', 'en']} />
            </Group>
            <PasswordInput
              name="password"
              label={t('login.password')}
              autoComplete="new-password"
              required
              error={create.fieldError('password')}
            />
            <Button type="submit" loading={create.busy}>
              {t('admin.newUser')}
            </Button>
            {create.generalError(['email', 'name', 'role', 'agentId', 'password']) && (
              <Alert color="red" role="alert">
                {create.generalError(['email', 'name', 'role', 'agentId', 'password'])}
              </Alert>
            )}
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}
