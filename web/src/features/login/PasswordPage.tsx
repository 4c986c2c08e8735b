// Password change (POST /v1/session/password): the API's problem shown beside the field it names.
import { Alert, Button, PasswordInput, Stack, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorText } from '../../api/problem';
import { useSession } from '../../app/session';
import { formText } from '../../lib/form';

export default function PasswordPage() {
  const { t } = useTranslation();
  const { changePassword } = useSession();
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setErr(null);
    setDone(false);
    try {
      await changePassword(formText(form, 'currentPassword'), formText(form, 'newPassword'));
      setDone(true);
      e.currentTarget.reset();
    } catch (caught) {
      setErr(caught);
    }
  };
  const api = err instanceof ApiError ? err : null;
  const general = err && !api?.fieldMessage('currentPassword') && !api?.fieldMessage('newPassword');
  return (
    <Stack maw={420}>
      <Title order={1}>{t('password.title')}</Title>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <PasswordInput
            name="currentPassword"
            label={t('password.current')}
            autoComplete="current-password"
            required
            error={api?.fieldMessage('currentPassword')}
          />
          <PasswordInput
            name="newPassword"
            label={t('password.next')}
            autoComplete="new-password"
            required
            error={api?.fieldMessage('newPassword') ?? (general ? errorText(err) : undefined)}
          />
          <Button type="submit">{t('password.submit')}</Button>
          {done && <Alert color="green">{t('password.done')}</Alert>}
        </Stack>
      </form>
    </Stack>
  );
}
