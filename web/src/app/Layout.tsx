// The frame of every signed-in page: header (language, password, logout), the role's navigation, the page.
import { AppShell, Burger, Button, Group, NavLink, NativeSelect, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import type { Locale } from '../i18n';
import { useSession, type Role } from './session';

const NAV: Record<Role, { to: string; key: string }[]> = {
  agent: [
    { to: '/queue', key: 'nav.queue' },
    { to: '/reconciliation', key: 'nav.reconciliation' },
  ],
  supervisor: [
    { to: '/dashboard', key: 'nav.dashboard' },
    { to: '/team', key: 'nav.team' },
    { to: '/distribution', key: 'nav.distribution' },
    { to: '/portfolio', key: 'nav.portfolio' },
    { to: '/imports', key: 'nav.imports' },
    { to: '/reconciliation', key: 'nav.reconciliation' },
    { to: '/queue', key: 'nav.queue' },
    { to: '/strategies', key: 'nav.strategies' },
  ],
  strategist: [
    { to: '/strategies', key: 'nav.strategies' },
    { to: '/dashboard', key: 'nav.dashboard' },
  ],
  admin: [
    { to: '/admin/users', key: 'nav.users' },
    { to: '/admin/api-keys', key: 'nav.apiKeys' },
    { to: '/admin/whatsapp', key: 'nav.whatsapp' },
  ],
};

export function LanguageSelect() {
  const { t, i18n } = useTranslation();
  const { setLocale } = useSession();
  return (
    <NativeSelect
      aria-label={t('nav.language')}
      size="xs"
      value={i18n.language === 'en' ? 'en' : 'es'}
      onChange={(e) => void setLocale(e.currentTarget.value as Locale)}
      data={[
        { value: 'es', label: 'Español' },
        { value: 'en', label: 'English' },
      ]}
    />
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { user, logout } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  if (!user) return null;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.main')} />
            <Text fw={700}>{t('app.title')}</Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" visibleFrom="sm">
              {user.name}
            </Text>
            <LanguageSelect />
            <Button component={Link} to="/password" variant="subtle" size="xs">
              {t('nav.password')}
            </Button>
            <Button variant="default" size="xs" onClick={() => void logout()}>
              {t('nav.logout')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav.main')} component="nav">
        {NAV[user.role].map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={t(item.key)}
            active={location.pathname.startsWith(item.to)}
            // Filled: white on the dark primary shade passes AA contrast (the light variant does not).
            variant="filled"
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main">{children}</AppShell.Main>
    </AppShell>
  );
}
