// The run's servers and bundle (tests/setup/global-setup.ts), as a rig configuration.
import { inject } from 'vitest';
import type { RigConfig } from './time-skipping';

export function rigConfig(): RigConfig {
  return {
    testServerPath: inject('temporalTestServerPath'),
    databaseUrl: inject('databaseUrl'),
    workflowBundlePath: inject('workflowBundlePath'),
  };
}
