// The portfolio explorer: the account list by filters (kept in the URL), the person's saved filters (kept by the
// API, /v1/saved-filters), export to Excel or CSV.
import { Alert, Anchor, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, errorText } from '../../api/problem';
import { dateTime, money } from '../../lib/format';
import { useAction } from '../account/useAction';
import { FilterForm, useAccountFilters } from '../shared/accountFilters';
import { useAccountList } from '../shared/useAccountList';
import { SavedFilters } from './SavedFilters';

export default function PortfolioPage() {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useAccountFilters();
  const list = useAccountList(filters);
  const save = useAction([['saved-filters']]);
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const apiError = list.error instanceof ApiError ? list.error : null;
  // The export takes the list's filters, so the file holds what the list shows.
  const exportQuery = new URLSearchParams(filters).toString();

  return (
    <Stack>
      <Title order={1}>{t('portfolio.title')}</Title>
      <FilterForm
        filters={filters}
        onApply={setFilters}
        fieldError={(f) => apiError?.fieldMessage(f) ?? save.fieldError(`query.${f}`)}
      />
      <SavedFilters filters={filters} onApply={setFilters} save={save} />
      <Group>
        <Anchor href={`/v1/exports/accounts.xlsx?${exportQuery}`} download>
          {t('portfolio.exportXlsx')}
        </Anchor>
        <Anchor href={`/v1/exports/accounts.csv?${exportQuery}`} download>
          {t('portfolio.exportCsv')}
        </Anchor>
      </Group>
      {list.isError && !apiError?.problem.errors?.length && (
        <Alert color="red" role="alert">
          {errorText(list.error)}
        </Alert>
      )}
      {list.isPending && <Text>{t('app.loading')}</Text>}
      <Card withBorder>
        <Table.ScrollContainer minWidth={800}>
          <Table striped data-testid="portfolio">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('account.debtor')}</Table.Th>
                <Table.Th scope="col">{t('common.status')}</Table.Th>
                <Table.Th scope="col">{t('common.stage')}</Table.Th>
                <Table.Th scope="col">{t('common.balance')}</Table.Th>
                <Table.Th scope="col">{t('common.daysPastDue')}</Table.Th>
                <Table.Th scope="col">{t('common.strategy')}</Table.Th>
                <Table.Th scope="col">{t('common.agent')}</Table.Th>
                <Table.Th scope="col">{t('portfolio.opened')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((a) => (
                <Table.Tr key={a.accountId}>
                  <Table.Td>
                    <Anchor component={Link} to={`/accounts/${a.accountId}`}>
                      {a.debtor.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{a.status}</Table.Td>
                  <Table.Td>{a.stage}</Table.Td>
                  <Table.Td>{money(a.balance.amount, a.balance.currency, i18n.language)}</Table.Td>
                  <Table.Td>{a.daysPastDue ?? '—'}</Table.Td>
                  <Table.Td>{a.strategy ? `${a.strategy.id ?? ''} v${a.strategy.version ?? ''}` : '—'}</Table.Td>
                  <Table.Td>{a.assignedAgentId ?? '—'}</Table.Td>
                  <Table.Td>{dateTime(a.openedAt, i18n.language)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {list.hasNextPage && (
          <Button variant="default" mt="sm" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            {t('common.more')}
          </Button>
        )}
      </Card>
    </Stack>
  );
}
