// The API's answer to a distribution: how many were selected, moved, already in place or left out, and for each
// agent the rule names how many of the selected accounts they hold after it and how many they receive.
import { Card, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { AssignmentAnswer } from './assignment';

export function AssignmentResult({ answer }: { answer: AssignmentAnswer }) {
  const { t } = useTranslation();
  const received = new Map<string, number>();
  for (const m of answer.moves) received.set(m.to, (received.get(m.to) ?? 0) + 1);
  const left = new Map<string, number>();
  for (const n of answer.notAssigned) left.set(n.reason, (left.get(n.reason) ?? 0) + 1);
  const tense = answer.dryRun ? 'preview' : 'applied';
  return (
    <Card withBorder data-testid="assignment-result">
      <Title order={2} size="h4">
        {t(`distribution.result.${tense}`)}
      </Title>
      <Text role="status" data-testid="assignment-summary">
        {t(`distribution.result.summary.${tense}`, {
          selected: answer.selected,
          moved: answer.moved,
          unchanged: answer.unchanged,
        })}
      </Text>
      {[...left].map(([reason, n]) => (
        <Text key={reason} c="red.9" data-testid={`not-assigned-${reason}`}>
          {t(`distribution.result.notAssigned.${reason}`, { count: n })}
        </Text>
      ))}
      <Table mt="xs" data-testid="assignment-agents" w="auto">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('common.agent')}</Table.Th>
            <Table.Th scope="col">{t(`distribution.result.receives.${tense}`)}</Table.Th>
            <Table.Th scope="col">{t('distribution.result.holds')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {answer.agents.map((a) => (
            <Table.Tr key={a.agentId}>
              <Table.Th scope="row">{a.agentId}</Table.Th>
              <Table.Td>{received.get(a.agentId) ?? 0}</Table.Td>
              <Table.Td>{a.accounts}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
