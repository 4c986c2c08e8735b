// The agent's actions on an account, in place: payment, promise, plan, dispute, contact outcome, opt-out, task.
import { Alert, Button, Group, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
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

/**
 * One action's form: its fields, the submit button (or `buttons`), and the API's answer — each problem beside
 * the field it names (`action.fieldError`), the rest of them (and "accepted") below.
 */
function ActionForm(props: {
  label: string;
  action: ActionState;
  fields: string[];
  onSubmit: (form: FormData) => void | Promise<void>;
  children: ReactNode;
  buttons?: ReactNode;
  color?: string;
}) {
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void props.onSubmit(new FormData(e.currentTarget));
  };
  return (
    <form onSubmit={submit} noValidate aria-label={props.label}>
      <Stack gap="xs">
        {props.children}
        {props.buttons ?? (
          <Button type="submit" loading={props.action.busy} {...(props.color ? { color: props.color } : {})}>
            {props.label}
          </Button>
        )}
        <Result action={props.action} fields={props.fields} />
      </Stack>
    </form>
  );
}

function ChannelSelect({ action, required = false }: { action: ActionState; required?: boolean }) {
  const { t } = useTranslation();
  return (
    <NativeSelect
      name="channel"
      label={t('common.channel')}
      data={[...CHANNELS]}
      error={action.fieldError('channel', required)}
    />
  );
}

/** A contact's outcome and the agent's note (a contact outcome, a task completed). */
function OutcomeFields({ action }: { action: ActionState }) {
  const { t } = useTranslation();
  return (
    <>
      <NativeSelect
        name="outcome"
        label={t('account.outcome')}
        data={OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }))}
        error={action.fieldError('outcome', true)}
      />
      <Textarea name="note" label={t('account.note')} error={action.fieldError('note')} />
    </>
  );
}

/** The amount, in the account's currency (a decimal string: the API parses it exactly). */
function AmountField({ currency, error }: { currency: string; error: string | undefined }) {
  const { t } = useTranslation();
  return (
    <TextInput name="amount" label={`${t('common.amount')} (${currency})`} inputMode="decimal" required error={error} />
  );
}

/** An amount's problem, with the policy's minimum when the API gave one ("minimum 30 %: 450.00"). */
function useAmountError(action: ActionState, currency: string) {
  const { t, i18n } = useTranslation();
  const minimum = action.error instanceof ApiError ? action.error.problem.minimum : undefined;
  return (error: string | undefined) =>
    error
      ? `${error}${minimum ? ` — ${t('account.minimum', { minimum: money(minimum, currency, i18n.language) })}` : ''}`
      : undefined;
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
  const submit = (form: FormData) => {
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
    <ActionForm
      label={t('account.payment')}
      action={action}
      fields={['amount', 'reference', 'paidAt', 'currency']}
      onSubmit={submit}
    >
      <AmountField currency={currency} error={action.fieldError('amount', true)} />
      <TextInput name="reference" label={t('account.reference')} required error={action.fieldError('reference')} />
      <TextInput name="paidAt" type="date" label={t('account.paidAt')} error={action.fieldError('paidAt')} />
    </ActionForm>
  );
}

export function PromiseForm({ accountId, currency }: Props) {
  const { t } = useTranslation();
  const action = useAction(keys(accountId));
  const withMinimum = useAmountError(action, currency);
  const submit = (form: FormData) =>
    void action.run(() =>
      api.POST('/v1/accounts/{accountId}/promises', {
        params: { path: { accountId } },
        body: { amount: text(form, 'amount'), currency, dueDate: text(form, 'dueDate') },
      }),
    );
  return (
    <ActionForm
      label={t('account.newPromise')}
      action={action}
      fields={['amount', 'dueDate', 'currency']}
      onSubmit={submit}
    >
      <AmountField currency={currency} error={withMinimum(action.fieldError('amount', true))} />
      <TextInput
        name="dueDate"
        type="date"
        label={t('common.dueDate')}
        required
        min={today()}
        error={action.fieldError('dueDate')}
      />
    </ActionForm>
  );
}

export function PlanForm({ accountId, currency }: Props) {
  const { t } = useTranslation();
  const action = useAction(keys(accountId));
  const withMinimum = useAmountError(action, currency);
  const [count, setCount] = useState(2);
  const submit = (form: FormData) => {
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
  const first = action.fieldError('installments[0].amount') ?? action.fieldError('installments', true);
  return (
    <ActionForm
      label={t('account.plan')}
      action={action}
      fields={['installments', 'currency']}
      onSubmit={submit}
      buttons={
        <Group>
          <Button variant="default" onClick={() => setCount((c) => Math.min(c + 1, 24))}>
            {t('account.addInstallment')}
          </Button>
          <Button type="submit" loading={action.busy}>
            {t('account.plan')}
          </Button>
        </Group>
      }
    >
      {Array.from({ length: count }, (_, i) => (
        <Group key={i} grow align="flex-start">
          <TextInput
            name={`amount${i}`}
            label={`${t('account.installment', { n: i + 1 })} — ${t('common.amount')}`}
            inputMode="decimal"
            required
            error={i === 0 && first ? withMinimum(first) : action.fieldError(`installments[${i}].amount`)}
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
    </ActionForm>
  );
}

export function DisputeForm({ accountId, invoices }: { accountId: string; invoices: string[] }) {
  const { t } = useTranslation();
  const action = useAction(keys(accountId));
  const submit = (form: FormData) => {
    const invoiceExternalId = text(form, 'invoiceExternalId');
    void action.run(() =>
      api.POST('/v1/accounts/{accountId}/disputes', {
        params: { path: { accountId } },
        body: { reason: text(form, 'reason'), ...(invoiceExternalId ? { invoiceExternalId } : {}) },
      }),
    );
  };
  return (
    <ActionForm label={t('account.dispute')} action={action} fields={['reason', 'invoiceExternalId']} onSubmit={submit}>
      <Textarea name="reason" label={t('account.disputeReason')} required error={action.fieldError('reason', true)} />
      <NativeSelect
        name="invoiceExternalId"
        label={t('account.invoices')}
        data={[{ value: '', label: '—' }, ...invoices.map((i) => ({ value: i, label: i }))]}
        error={action.fieldError('invoiceExternalId')}
      />
    </ActionForm>
  );
}

export function OutcomeForm({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const action = useAction(keys(accountId));
  const submit = (form: FormData) => {
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
    <ActionForm label={t('account.outcome')} action={action} fields={['channel', 'outcome', 'note']} onSubmit={submit}>
      <ChannelSelect action={action} />
      <OutcomeFields action={action} />
    </ActionForm>
  );
}

export function OptOutForm({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const action = useAction(keys(accountId));
  const submit = (form: FormData) =>
    void action.run(() =>
      api.POST('/v1/accounts/{accountId}/opt-outs', {
        params: { path: { accountId } },
        body: { channel: text(form, 'channel') as Channel },
      }),
    );
  return (
    <ActionForm label={t('account.optOut')} action={action} fields={['channel']} onSubmit={submit} color="red.9">
      <ChannelSelect action={action} required />
    </ActionForm>
  );
}

export function CompleteTaskForm({ taskId, onDone }: { taskId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const action = useAction([['queue']]);
  const submit = async (form: FormData) => {
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
    <ActionForm label={t('account.completeTask')} action={action} fields={['outcome', 'note']} onSubmit={submit}>
      <OutcomeFields action={action} />
      {action.done && <Text role="status">{t('account.taskDone')}</Text>}
    </ActionForm>
  );
}
