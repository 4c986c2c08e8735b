// Admin: WhatsApp numbers — register one, draw its pairing QR on the page (qrcode) or ask for a pairing
// code, and follow its connection state live (polled every 2 s while the page is open).
import { Alert, Button, Card, Group, Image, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText, unwrap } from '../../api/problem';
import { formText } from '../../lib/form';
import { useAction } from '../account/useAction';

const KNOWN_KEY = 'console.whatsappNumbers';

function known(): string[] {
  try {
    return JSON.parse(localStorage.getItem(KNOWN_KEY) ?? '[]') as string[];
  } catch {
    return [];
  }
}

function NumberCard({ id }: { id: string }) {
  const { t } = useTranslation();
  const number = useQuery({
    queryKey: ['whatsapp', id],
    queryFn: async () => unwrap(await api.GET('/v1/whatsapp/numbers/{id}', { params: { path: { id } } })),
    refetchInterval: 2000,
  });
  const pairing = useAction([['whatsapp', id]]);
  const code = number.data?.qr ?? null;
  // The QR drawn here from the code the number's worker reads from WhatsApp (it changes every ~20 s).
  const qrImage = useQuery({
    queryKey: ['whatsapp-qr', code],
    enabled: Boolean(code),
    queryFn: () => QRCode.toDataURL(code ?? '', { margin: 1, width: 240 }),
  });
  const qr = code ? (qrImage.data ?? null) : null;
  const requestCode = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const phone = formText(new FormData(e.currentTarget), 'phone').trim();
    void pairing.run(() =>
      api.POST('/v1/whatsapp/numbers/{id}/pairing-code', { params: { path: { id } }, body: { phone } }),
    );
  };
  const n = number.data;
  return (
    <Card withBorder data-testid={`whatsapp-${id}`}>
      <Group justify="space-between">
        <Title order={2} size="h4">
          {id}
        </Title>
        <Text aria-live="polite">
          {t('admin.state')}: <strong data-testid="wa-status">{n?.status ?? '…'}</strong>
        </Text>
      </Group>
      {number.isError && <Text c="red.9">{errorText(number.error)}</Text>}
      {qr && (
        <Stack gap={4} align="flex-start" mt="xs">
          <Text>{t('admin.qr')}</Text>
          <Image src={qr} alt={t('admin.qr')} w={240} h={240} data-testid="wa-qr" />
        </Stack>
      )}
      {n?.pairingCode && (
        <Text mt="xs">
          {t('admin.pairing')}: <strong>{n.pairingCode}</strong>
        </Text>
      )}
      {n?.pairingError && <Text c="red.9">{n.pairingError}</Text>}
      <form onSubmit={requestCode} noValidate aria-label={`${t('admin.pairing')} ${id}`}>
        <Group align="flex-end" mt="xs">
          <TextInput name="phone" label={t('admin.phone')} error={pairing.fieldError('phone', true)} />
          <Button type="submit" variant="default" loading={pairing.busy}>
            {t('admin.pairing')}
          </Button>
        </Group>
      </form>
    </Card>
  );
}

export default function WhatsAppPage() {
  const { t } = useTranslation();
  const [ids, setIds] = useState<string[]>(known);
  const add = useAction();
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const id = formText(new FormData(e.currentTarget), 'id').trim();
    const ok = await add.run(() => api.POST('/v1/whatsapp/numbers', { body: { id } }));
    if (ok && !ids.includes(id)) {
      const next = [...ids, id];
      localStorage.setItem(KNOWN_KEY, JSON.stringify(next));
      setIds(next);
    }
  };
  return (
    <Stack>
      <Title order={1}>{t('admin.whatsapp')}</Title>
      <Card withBorder>
        <form onSubmit={(e) => void submit(e)} noValidate aria-label={t('admin.newNumber')}>
          <Group align="flex-end">
            <TextInput name="id" label={t('strategies.id')} required error={add.fieldError('id', true)} />
            <Button type="submit" loading={add.busy}>
              {t('admin.newNumber')}
            </Button>
          </Group>
        </form>
        {add.generalError(['id']) && <Alert color="red">{add.generalError(['id'])}</Alert>}
      </Card>
      {ids.map((id) => (
        <NumberCard key={id} id={id} />
      ))}
    </Stack>
  );
}
