// The unreadable lines of an uploaded file (a portfolio import, a bank statement): line, field, problem.
import { Table, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export interface LineError {
  line: number;
  errors: { field: string; message: string }[];
}

export function LineErrors({ lines, testId }: { lines: readonly LineError[]; testId: string }) {
  const { t } = useTranslation();
  if (lines.length === 0) return null;
  return (
    <>
      <Title order={3} size="h5" mt="sm">
        {t('imports.errors')}
      </Title>
      <Table data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('imports.line')}</Table.Th>
            <Table.Th scope="col">{t('imports.field')}</Table.Th>
            <Table.Th scope="col">{t('common.error')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {lines.flatMap((line) =>
            line.errors.map((e, i) => (
              <Table.Tr key={`${line.line}-${i}`}>
                <Table.Td>{line.line}</Table.Td>
                <Table.Td>{e.field}</Table.Td>
                <Table.Td>{e.message}</Table.Td>
              </Table.Tr>
            )),
          )}
        </Table.Tbody>
      </Table>
    </>
  );
}
