// The agent's actions on an account, in place: payment, promise, plan, dispute, contact outcome, opt-out, task.
import { Alert, Button, Group, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ApiError } from '../../api/problem';
import { money, today } from '../../lib/format';
import { useAction, type ActionState } from './useAction';

const CHANNELS = ['call', 'whatsapp', 'email', 'sms', 'visit', 'letter'] as const;
const OUTCOMES = [
  'right_party',
  'conversation',
  'promise_to_pay',
  'paid',
  'no_answer',
  'wrong_party',
  'voicemail',
  'refused',
  'not_found',
] as const;
type Channel = (typeof CHANNELS)[number];
type Outcome = (typeof OUTCOMES)[number];

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

function Result({ action, fields }: { action: ActionState; fields: string[] }) {
  const { t } = useTranslation();
  const general = action.generalError(fields);
  return (
    <>
      {general && (
        <Alert color="red" role="alert">
          {general}
        </Alert>
      )}
      {action.done && <Text role="status">{t('common.accepted')}</Text>}
    </>
  );
}

interface Props {
  accountId: string;
  currency: string;
}

const keys = (accountId: string) => [
  ['account', accountId],
  ['explain', accountId],
  ['profile', accountId],
];

export function PaymentForm({ accountId, currency }: Props) {
  const { t } = useTranslation();
  const action = useAction(keys(accountId));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const paidAt = text(form, 'paidAt');
    void action.run(() =>
      api.POST('/v1/accounts/{accountId}/payments', {
        params: { path: { accountId } },
        body: {
          amount: text(form, 'amount'),
          currency,
          reference: text(form, 'reference'),
          ...(paidAt ? { paidAt: `${paidAt}T12:00:00Z` } : {}),
        },
      }),
    );
  };
  return (
    <form onSubmit={submit} noValidate aria-label={t('account.payment')}>
      <Stack gap="xs">
        <TextInput
          name="amount"
          label={`${t('common.amount')} (${currency})`}
          inputMode="decimal"
          required
          error={action.fieldError('amount', true)}
        />
        <TextInput name="reference" label={t('account.reference')} required error={action.fieldError('reference')} />
        <TextInput name="paidAt" type="date" label={t('account.paidAt')} error={action.fieldError('paidAt')} />
        <Button type="submit" loading={action.busy}>
          {t('account.payment')}
        </Button>
        <Result action={action} fields={['amount', 'reference', 'paidAt', 'currency']} />
      </Stack>
    </form>
  );
}

export function PromiseForm({ accountId, currency }: Props) {
  const { t, i18n } = useTranslation();
  const action = useAction(keys(accountId));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    void action.run(() =>
      api.POST('/v1/accounts/{accountId}/promises', {
        params: { path: { accountId } },
        body: { amount: text(form, 'amount'), currency, dueDate: text(form, 'dueDate') },
      }),
    );
  };
  const minimum = action.error instanceof ApiError ? action.error.problem.minimum : undefined;
  const amountError = action.fieldError('amount', true);
  return (
    <form onSubmit={submit} noValidate aria-label={t('account.newPromise')}>
      <Stack gap="xs">
        <TextInput
          name="amount"
          label={`${t('common.amount')} (${currency})`}
          inputMode="decimal"
          required
          error={
            amountError
              ? `${amountError}${minimum ? ` — ${t('account.minimum', { minimum: money(minimum, currency, i18n.language) })}` : ''}`
              : undefined
          }
        />
        <TextInput
          name="dueDate"
          type="date"
          label={t('common.dueDate')}
          required
          min={today()}
          error={action.fieldError('dueDate')}
        />
        <Button type="submit" loading={action.busy}>
          {t('account.newPromise')}
        </Button>
        <Result action={action} fields={['amount', 'dueDate', 'currency']} />
      </Stack>
    </form>
  );
}

export function PlanForm({ accountId, currency }: Props) {
  const { t, i18n } = useTranslation();
  const action = useAction(keys(accountId));
  const [count, setCount] = useState(2);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const installments = Array.from({ length: count }, (_, i) => ({
      amount: text(form, `amount${i}`),
      dueDate: text(form, `dueDate${i}`),
    }));
    void action.run(() =>
      api.POST('/v1/accounts/{accountId}/plans', {
        params: { path: { accountId } },
        body: { currency, installments },
      }),
    );
  };
  const minimum = action.error instanceof ApiError ? action.error.problem.minimum : undefined;
  const first = action.fieldError('installments[0].amount') ?? action.fieldError('installments', true);
  return (
    <form onSubmit={submit} noValidate aria-label={t('account.plan')}>
      <Stack gap="xs">
        {Array.from({ length: count }, (_, i) => (
          <Group key={i} grow align="flex-start">
            <TextInput
              name={`amount${i}`}
              label={`${t('account.installment', { n: i + 1 })} — ${t('common.amount')}`}
              inputMode="decimal"
              required
              error={
                i === 0 && first
                  ? `${first}${minimum ? ` — ${t('account.minimum', { minimum: money(minimum, currency, i18n.language) })}` : ''}`
                  : action.fieldError(`installments[${i}].amount`)
              }
            />
            <TextInput
              name={`dueDate${i}`}
              type="date"
              label={t('common.dueDate')}
              required
              error={action.fieldError(`installments[${i}].dueDate`)}
            />
          </Group>
        ))}
        <Group>
          <Button variant="default" onClick={() => setCount((c) => Math.min(c + 1, 24))}>
            {t('account.addInstallment')}
          </Button>
          <Button type="submit" loading={action.busy}>
            {t('account.plan')}
          </Button>
        </Group>
        <Result action={action} fields={['installments', 'currency']} />
      </Stack>
    </form>
  );
}

export function DisputeForm({ accountId, invoices }: { accountId: string; invoices: string[] }) {
  const { t } = useTranslation();
  const action = useAction(keys(accountId));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const invoiceExternalId = text(form, 'invoiceExternalId');
    void action.run(() =>
      api.POST('/v1/accounts/{accountId}/disputes', {
        params: { path: { accountId } },
        body: { reason: text(form, 'reason'), ...(invoiceExternalId ? { invoiceExternalId } : {}) },
      }),
    );
  };
  return (
    <form onSubmit={submit} noValidate aria-label={t('account.dispute')}>
      <Stack gap="xs">
        <Textarea name="reason" label={t('account.disputeReason')} required error={action.fieldError('reason', true)} />
        <NativeSelect
          name="invoiceExternalId"
          label={t('account.invoices')}
          data={[{ value: '', label: '—' }, ...invoices.map((i) => ({ value: i, label: i }))]}
          error={action.fieldError('invoiceExternalId')}
        />
        <Button type="submit" loading={action.busy}>
          {t('account.dispute')}
        </Button>
        <Result action={action} fields={['reason', 'invoiceExternalId']} />
      </Stack>
    </form>
  );
}

export function OutcomeForm({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const action = useAction(keys(accountId));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const note = text(form, 'note');
    void action.run(() =>
      api.POST('/v1/accounts/{accountId}/contact-outcomes', {
        params: { path: { accountId } },
        body: {
          channel: text(form, 'channel') as Channel,
          outcome: text(form, 'outcome') as Outcome,
          ...(note ? { note } : {}),
        },
      }),
    );
  };
  return (
    <form onSubmit={submit} noValidate aria-label={t('account.outcome')}>
      <Stack gap="xs">
        <NativeSelect
          name="channel"
          label={t('common.channel')}
          data={[...CHANNELS]}
          error={action.fieldError('channel')}
        />
        <NativeSelect
          name="outcome"
          label={t('account.outcome')}
          data={OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }))}
          error={action.fieldError('outcome', true)}
        />
        <Textarea name="note" label={t('account.note')} error={action.fieldError('note')} />
        <Button type="submit" loading={action.busy}>
          {t('account.outcome')}
        </Button>
        <Result action={action} fields={['channel', 'outcome', 'note']} />
      </Stack>
    </form>
  );
}

export function OptOutForm({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const action = useAction(keys(accountId));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    void action.run(() =>
      api.POST('/v1/accounts/{accountId}/opt-outs', {
        params: { path: { accountId } },
        body: { channel: text(form, 'channel') as Channel },
      }),
    );
  };
  return (
    <form onSubmit={submit} noValidate aria-label={t('account.optOut')}>
      <Stack gap="xs">
        <NativeSelect
          name="channel"
          label={t('common.channel')}
          data={[...CHANNELS]}
          error={action.fieldError('channel', true)}
        />
        <Button type="submit" color="red.9" loading={action.busy}>
          {t('account.optOut')}
        </Button>
        <Result action={action} fields={['channel']} />
      </Stack>
    </form>
  );
}

export function CompleteTaskForm({ taskId, onDone }: { taskId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const action = useAction([['queue']]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const note = text(form, 'note');
    const ok = await action.run(() =>
      api.POST('/v1/tasks/{taskId}/complete', {
        params: { path: { taskId } },
        body: { outcome: text(form, 'outcome') as Outcome, ...(note ? { note } : {}) },
      }),
    );
    if (ok) onDone();
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label={t('account.completeTask')}>
      <Stack gap="xs">
        <NativeSelect
          name="outcome"
          label={t('account.outcome')}
          data={OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }))}
          error={action.fieldError('outcome', true)}
        />
        <Textarea name="note" label={t('account.note')} error={action.fieldError('note')} />
        <Button type="submit" loading={action.busy}>
          {t('account.completeTask')}
        </Button>
        <Result action={action} fields={['outcome', 'note']} />
        {action.done && <Text role="status">{t('account.taskDone')}</Text>}
      </Stack>
    </form>
  );
}
