// The strategies with their versions; a new strategy starts as a draft copied from an existing one.
import { Alert, Anchor, Badge, Button, Card, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { errorText, unwrap } from '../../api/problem';

export default function StrategiesPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [newId, setNewId] = useState('');
  const list = useQuery({
    queryKey: ['strategies'],
    queryFn: async () => unwrap(await api.GET('/v1/strategies', {})),
  });
  const valid = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(newId);
  return (
    <Stack>
      <Title order={1}>{t('strategies.title')}</Title>
      {list.isError && (
        <Alert color="red" role="alert">
          {errorText(list.error)}
        </Alert>
      )}
      <Card withBorder>
        <Table data-testid="strategies">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('strategies.id')}</Table.Th>
              <Table.Th scope="col">{t('common.name')}</Table.Th>
              <Table.Th scope="col">{t('strategies.published')}</Table.Th>
              <Table.Th scope="col">{t('strategies.draft')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.items.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/strategies/${s.id}`}>
                    {s.id}
                  </Anchor>
                </Table.Td>
                <Table.Td>{s.name}</Table.Td>
                <Table.Td>
                  v{s.latestVersion}
                  {s.builtin && (
                    <Badge ml="xs" variant="outline" color="dark">
                      builtin
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{s.hasDraft ? t('strategies.draft') : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder>
        <Group align="flex-end">
          <TextInput
            label={t('strategies.newStrategy')}
            description={t('strategies.id')}
            value={newId}
            onChange={(e) => setNewId(e.currentTarget.value)}
            error={newId && !valid ? '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$' : undefined}
          />
          <Button disabled={!valid} onClick={() => void navigate(`/strategies/${newId}?new=1`)}>
            {t('strategies.edit')}
          </Button>
        </Group>
        <Text size="sm" mt="xs">
          {t('strategies.draft')}: PUT /v1/strategies/{'{id}'}/draft
        </Text>
      </Card>
    </Stack>
  );
}
