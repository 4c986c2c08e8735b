// The signed-in user (GET /v1/session), login and logout, and the return to the same page after a lost session.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { rawFetch, setCsrfToken, setUnauthorizedHandler } from '../api/client';
import { ApiError, type Problem } from '../api/problem';
import { applyLocale, type Locale } from '../i18n';

export type Role = 'admin' | 'supervisor' | 'strategist' | 'agent';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  agentId: string | null;
  locale: Locale;
}

interface SessionAnswer {
  user: User;
  csrfToken: string;
}

interface SessionValue {
  user: User | null;
  loading: boolean;
  login: (email: string, password: string) => Promise<User>;
  logout: () => Promise<void>;
  setLocale: (locale: Locale) => Promise<void>;
  changePassword: (currentPassword: string, newPassword: string) => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

export function homeFor(role: Role): string {
  switch (role) {
    case 'agent':
      return '/queue';
    case 'supervisor':
      return '/dashboard';
    case 'strategist':
      return '/strategies';
    case 'admin':
      return '/admin/users';
  }
}

async function problemOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as Problem;
  return new ApiError(res.status, body);
}

async function jsonCall(path: string, method: string, body?: unknown): Promise<Response> {
  return rawFetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

// GET /v1/session is asked for as soon as the console's code runs (main.tsx), beside the page's own chunk,
// not after React's first render; the provider takes that first answer.
let firstSession: Promise<Response | null> | undefined;
export function startSessionFetch(): void {
  firstSession ??= fetch('/v1/session', { credentials: 'same-origin' }).catch(() => null);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();

  const accept = useCallback((answer: SessionAnswer) => {
    setCsrfToken(answer.csrfToken);
    setUser(answer.user);
    if (answer.user.locale === 'es' || answer.user.locale === 'en') applyLocale(answer.user.locale);
  }, []);

  useEffect(() => {
    let live = true;
    void (async () => {
      startSessionFetch();
      const res = await firstSession;
      firstSession = undefined;
      if (!live) return;
      if (res?.ok) accept((await res.json()) as SessionAnswer);
      setLoading(false);
    })();
    return () => {
      live = false;
    };
  }, [accept]);

  // A 401 anywhere: the session is gone. Back to login (below), saying why and remembering where we were.
  const expired = useRef(false);
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      expired.current = true;
      setUser(null);
      queryClient.clear();
    });
  }, [queryClient]);

  useEffect(() => {
    if (!loading && !user && !location.pathname.startsWith('/login')) {
      const next = `${location.pathname}${location.search}`;
      const query = new URLSearchParams();
      if (expired.current) query.set('expired', '1');
      if (next && next !== '/') query.set('next', next);
      expired.current = false;
      const search = query.toString();
      void navigate(`/login${search ? `?${search}` : ''}`, { replace: true });
    }
  }, [loading, user, location, navigate]);

  const value = useMemo<SessionValue>(
    () => ({
      user,
      loading,
      async login(email, password) {
        const res = await jsonCall('/v1/session', 'POST', { email, password });
        if (!res.ok) throw await problemOf(res);
        const answer = (await res.json()) as SessionAnswer;
        accept(answer);
        return answer.user;
      },
      async logout() {
        await jsonCall('/v1/session', 'DELETE').catch(() => undefined);
        setCsrfToken(null);
        setUser(null);
        queryClient.clear();
        void navigate('/login');
      },
      async setLocale(locale) {
        applyLocale(locale);
        if (user) {
          setUser({ ...user, locale });
          const res = await jsonCall('/v1/session', 'PATCH', { locale });
          if (!res.ok && res.status !== 401) throw await problemOf(res);
        }
      },
      async changePassword(currentPassword, newPassword) {
        const res = await jsonCall('/v1/session/password', 'POST', { currentPassword, newPassword });
        if (!res.ok) throw await problemOf(res);
      },
    }),
    [user, loading, accept, navigate, queryClient],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
