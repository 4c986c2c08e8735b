// One application process for the chaos run: the roles in CHAOS_ROLES (api, worker or both), configured by
// the environment, a prebuilt workflow bundle (CHAOS_WORKFLOW_BUNDLE) so a restarted worker is up in seconds.
// Reports its URL (or "" for a worker) over IPC.
import { loadConfig } from '../../workers/config';
import { startRuntime } from '../../workers/runtime';

const roles = (process.env.CHAOS_ROLES ?? 'api,worker').split(',');
const bundle = process.env.CHAOS_WORKFLOW_BUNDLE || undefined;

startRuntime(
  loadConfig(process.env),
  { api: roles.includes('api'), worker: roles.includes('worker') },
  (line) => console.error(`[${roles.join('+')}] ${line}`),
  bundle ? { workflowBundle: { codePath: bundle } } : {},
).then(
  (runtime) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      runtime.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('message', (m: { stop?: boolean }) => m.stop && stop());
    process.on('SIGTERM', stop);
    process.on('disconnect', stop);
    process.send?.({ url: runtime.api?.url ?? '' });
  },
  (err: unknown) => {
    process.send?.({ error: (err as Error).message });
    console.error(err);
    process.exit(1);
  },
);
