// `npm run temporal:install`: make sure both Temporal binaries are available (a second run installs nothing).
import { loadConfig } from '../workers/config';
import {
  checkNodeVersion,
  PrerequisiteError,
  resolveTemporalCli,
  resolveTemporalTestServer,
} from './temporal-binaries';

try {
  checkNodeVersion();
  const config = loadConfig(process.env);
  console.log(`temporal: ${resolveTemporalCli(config.temporal.cliPath)}`);
  console.log(`temporal-test-server: ${resolveTemporalTestServer(config.temporal.testServerPath)}`);
} catch (err) {
  if (err instanceof PrerequisiteError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
