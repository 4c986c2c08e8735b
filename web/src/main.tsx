import '@mantine/core/styles.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import './i18n';
import { App, preloadPage } from './app/App';
import { SessionProvider, startSessionFetch } from './app/session';
import { ApiError } from './api/problem';

// Darker shades than Mantine's defaults: text on filled and light backgrounds meets WCAG AA contrast.
const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  autoContrast: true,
  components: { InputWrapper: { styles: { description: { color: 'var(--mantine-color-gray-7)' } } } },
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refused or lost-session answer is not retried; a network blip is, once.
      retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 1,
      refetchOnWindowFocus: false,
      staleTime: 10_000,
    },
  },
});

// The session and the opened page's chunk are fetched together, before the first render.
startSessionFetch();
preloadPage(window.location.pathname.replace(/^\/console(?=\/|$)/, '') || '/');

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme}>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter basename="/console">
            <SessionProvider>
              <App />
            </SessionProvider>
          </BrowserRouter>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
