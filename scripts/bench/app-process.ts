// The application under test in a process of its own (`npm run bench`, child mode): API + worker, as
// `npm start` runs them, configured by the environment the bench passes. Reports its URL over IPC.
import { loadConfig } from '../../workers/config';
import { startRuntime } from '../../workers/runtime';

const send = (m: object) => process.send?.(m);

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const bundle = process.env.BENCH_WORKFLOW_BUNDLE || undefined;
  const runtime = await startRuntime(
    config,
    { api: true, worker: true },
    (line) => console.error(`[app] ${line}`),
    bundle ? { workflowBundle: { codePath: bundle } } : {},
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop) stop();
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The bench went away without stopping us: stop too.
  process.on('disconnect', stop);
  send({ url: runtime.api?.url ?? '' });
}

main().catch((err: unknown) => {
  send({ error: (err as Error).message });
  console.error(err);
  process.exit(1);
});
