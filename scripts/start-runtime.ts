// The worker and the API of `npm start`, in a process of their own so that the start script can restart
// them when they die. Configured by the environment the start script passes (the embedded services'
// addresses); says `ready` over IPC; stops on SIGTERM/SIGINT and when the start script goes away.
import { ConfigError, loadConfig } from '../workers/config';
import { startRuntime } from '../workers/runtime';

export type RuntimeMessage = { type: 'ready'; url: string } | { type: 'error'; message: string };

const log = (line: string) => console.log(`[runtime] ${line}`);
const tell = (message: RuntimeMessage) => process.send?.(message);

async function main(): Promise<void> {
  const runtime = await startRuntime(loadConfig(process.env), { api: true, worker: true }, log);
  tell({ type: 'ready', url: runtime.api?.url ?? '' });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A drain that hangs must not keep the ports of the next start busy.
    setTimeout(() => process.exit(1), 20_000).unref();
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The IPC channel closes when the start script ends, even by SIGKILL.
  process.on('disconnect', stop);
}

main().catch((err: unknown) => {
  tell({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
