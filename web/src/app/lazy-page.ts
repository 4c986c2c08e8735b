// A page in its own chunk that can be fetched before React asks for it. The chunk of the page being opened is
// fetched at start-up beside GET /v1/session (not after it), and once it is in, the page renders without
// suspending: a suspended first render shows the fallback, and React holds a revealed fallback for at least
// 300 ms (its Suspense throttle), which every page paid on a cold load.
import { createElement, lazy, type ComponentType } from 'react';

export interface LazyPage {
  (props: object): ReturnType<typeof createElement>;
  preload(): Promise<void>;
}

export function lazyPage(load: () => Promise<{ default: ComponentType }>): LazyPage {
  let loaded: ComponentType | undefined;
  let loading: Promise<void> | undefined;
  const preload = () =>
    (loading ??= load().then(
      (m) => {
        loaded = m.default;
      },
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    ));
  const Lazy = lazy(() => preload().then(() => ({ default: loaded as ComponentType })));
  const Page = (props: object) => createElement(loaded ?? Lazy, props);
  return Object.assign(Page, { preload });
}
