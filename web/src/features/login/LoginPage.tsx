// Email + password login (POST /v1/session); back to the page the user was on (`next`), else the role's home.
import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorText } from '../../api/problem';
import { LanguageSelect } from '../../app/Layout';
import { homeFor, useSession } from '../../app/session';
import { formText } from '../../lib/form';

function safeNext(next: string | null): string | null {
  // Only paths inside the console: never another origin.
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : null;
}

export function LoginPage() {
  const { t } = useTranslation();
  const { login, user } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const signedIn = await login(formText(form, 'email'), formText(form, 'password'));
      void navigate(next ?? homeFor(signedIn.role), { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('login.failed') : errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (user && !busy) void Promise.resolve().then(() => navigate(next ?? homeFor(user.role), { replace: true }));

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={400}>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack>
            <Group justify="space-between">
              <Title order={1} size="h2">
                {t('login.title')}
              </Title>
              <LanguageSelect />
            </Group>
            {params.get('expired') && !error && <Alert color="yellow">{t('login.expired')}</Alert>}
            <TextInput name="email" type="email" label={t('login.email')} autoComplete="username" required autoFocus />
            <PasswordInput
              name="password"
              label={t('login.password')}
              autoComplete="current-password"
              required
              error={error ?? undefined}
            />
            <Button type="submit" loading={busy}>
              {t('login.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
