// Routes of the console (under /console); each page is its own chunk, so the agent's queue loads only its own code.
import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { Layout } from './Layout';
import { homeFor, useSession, type Role } from './session';
import { LoginPage } from '../features/login/LoginPage';

const QueuePage = lazy(() => import('../features/queue/QueuePage'));
const AccountPage = lazy(() => import('../features/account/AccountPage'));
const PasswordPage = lazy(() => import('../features/login/PasswordPage'));
const DashboardPage = lazy(() => import('../features/dashboard/DashboardPage'));
const TeamPage = lazy(() => import('../features/team/TeamPage'));
const DistributionPage = lazy(() => import('../features/distribution/DistributionPage'));
const PortfolioPage = lazy(() => import('../features/portfolio/PortfolioPage'));
const ImportsPage = lazy(() => import('../features/imports/ImportsPage'));
const ReconciliationPage = lazy(() => import('../features/reconciliation/ReconciliationPage'));
const StrategiesPage = lazy(() => import('../features/strategies/StrategiesPage'));
const StrategyEditorPage = lazy(() => import('../features/strategies/StrategyEditorPage'));
const UsersPage = lazy(() => import('../features/admin/UsersPage'));
const ApiKeysPage = lazy(() => import('../features/admin/ApiKeysPage'));
const WhatsAppPage = lazy(() => import('../features/admin/WhatsAppPage'));

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
