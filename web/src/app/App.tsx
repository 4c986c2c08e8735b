// Routes of the console (under /console); each page is its own chunk, so the agent's queue loads only its own code.
import { Center, Loader } from '@mantine/core';
import { Suspense, type ReactNode } from 'react';
import { matchPath, Navigate, Route, Routes } from 'react-router';
import { lazyPage, type LazyPage } from './lazy-page';
import { Layout } from './Layout';
import { homeFor, useSession, type Role } from './session';
import { LoginPage } from '../features/login/LoginPage';

const QueuePage = lazyPage(() => import('../features/queue/QueuePage'));
const AccountPage = lazyPage(() => import('../features/account/AccountPage'));
const PasswordPage = lazyPage(() => import('../features/login/PasswordPage'));
const DashboardPage = lazyPage(() => import('../features/dashboard/DashboardPage'));
const TeamPage = lazyPage(() => import('../features/team/TeamPage'));
const DistributionPage = lazyPage(() => import('../features/distribution/DistributionPage'));
const PortfolioPage = lazyPage(() => import('../features/portfolio/PortfolioPage'));
const ImportsPage = lazyPage(() => import('../features/imports/ImportsPage'));
const ReconciliationPage = lazyPage(() => import('../features/reconciliation/ReconciliationPage'));
const StrategiesPage = lazyPage(() => import('../features/strategies/StrategiesPage'));
const StrategyEditorPage = lazyPage(() => import('../features/strategies/StrategyEditorPage'));
const UsersPage = lazyPage(() => import('../features/admin/UsersPage'));
const ApiKeysPage = lazyPage(() => import('../features/admin/ApiKeysPage'));
const WhatsAppPage = lazyPage(() => import('../features/admin/WhatsAppPage'));

// The page of each route, for fetching its chunk at start-up (the same paths as <Routes> below).
const ROUTE_PAGES: [string, LazyPage][] = [
  ['/queue', QueuePage],
  ['/accounts/:accountId', AccountPage],
  ['/password', PasswordPage],
  ['/dashboard', DashboardPage],
  ['/team', TeamPage],
  ['/distribution', DistributionPage],
  ['/portfolio', PortfolioPage],
  ['/imports', ImportsPage],
  ['/reconciliation', ReconciliationPage],
  ['/strategies', StrategiesPage],
  ['/strategies/:strategyId', StrategyEditorPage],
  ['/admin/users', UsersPage],
  ['/admin/api-keys', ApiKeysPage],
  ['/admin/whatsapp', WhatsAppPage],
];

/** Starts fetching the chunk of the page at `pathname` (under /console), if it is one; a failure shows at render. */
export function preloadPage(pathname: string): void {
  const page = ROUTE_PAGES.find(([pattern]) => matchPath(pattern, pathname))?.[1];
  page?.preload().catch(() => undefined);
}

function Loading() {
  return (
    <Center h="50vh">
      <Loader aria-label="…" />
    </Center>
  );
}

function Page({ roles, children }: { roles?: Role[]; children: ReactNode }) {
  const { user } = useSession();
  if (!user) return <Loading />;
  if (roles && !roles.includes(user.role)) return <Navigate to={homeFor(user.role)} replace />;
  return (
    <Layout>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </Layout>
  );
}

function Home() {
  const { user } = useSession();
  return user ? <Navigate to={homeFor(user.role)} replace /> : <Loading />;
}

export function App() {
  const { loading } = useSession();
  if (loading) return <Loading />;
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/" element={<Home />} />
      <Route
        path="/queue"
        element={
          <Page roles={['agent', 'supervisor']}>
            <QueuePage />
          </Page>
        }
      />
      <Route
        path="/accounts/:accountId"
        element={
          <Page roles={['agent', 'supervisor']}>
            <AccountPage />
          </Page>
        }
      />
      <Route
        path="/password"
        element={
          <Page>
            <PasswordPage />
          </Page>
        }
      />
      <Route
        path="/dashboard"
        element={
          <Page roles={['supervisor', 'strategist']}>
            <DashboardPage />
          </Page>
        }
      />
      <Route
        path="/team"
        element={
          <Page roles={['supervisor']}>
            <TeamPage />
          </Page>
        }
      />
      <Route
        path="/distribution"
        element={
          <Page roles={['supervisor']}>
            <DistributionPage />
          </Page>
        }
      />
      <Route
        path="/portfolio"
        element={
          <Page roles={['supervisor']}>
            <PortfolioPage />
          </Page>
        }
      />
      <Route
        path="/imports"
        element={
          <Page roles={['supervisor']}>
            <ImportsPage />
          </Page>
        }
      />
      <Route
        path="/reconciliation"
        element={
          <Page roles={['agent', 'supervisor']}>
            <ReconciliationPage />
          </Page>
        }
      />
      <Route
        path="/strategies"
        element={
          <Page roles={['strategist', 'supervisor']}>
            <StrategiesPage />
          </Page>
        }
      />
      <Route
        path="/strategies/:strategyId"
        element={
          <Page roles={['strategist', 'supervisor']}>
            <StrategyEditorPage />
          </Page>
        }
      />
      <Route
        path="/admin/users"
        element={
          <Page roles={['admin']}>
            <UsersPage />
          </Page>
        }
      />
      <Route
        path="/admin/api-keys"
        element={
          <Page roles={['admin']}>
            <ApiKeysPage />
          </Page>
        }
      />
      <Route
        path="/admin/whatsapp"
        element={
          <Page roles={['admin']}>
            <WhatsAppPage />
          </Page>
        }
      />
      <Route path="*" element={<Home />} />
    </Routes>
  );
}
