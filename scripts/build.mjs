// Building the server from TypeScript into dist/, incrementally (tsc reuses dist/.tsbuildinfo),
// and knowing when a build is needed at all: when a source under server/ or a tsconfig is newer
// than the last build (dist/.built, touched after each successful build). Plain JavaScript, so
// that `npm start` can run it before anything is compiled. `node scripts/build.mjs` builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The compiled command line, which `npm start` runs. */
export function entryOf(root = ROOT) {
  return join(root, 'dist', 'server', 'cli.js');
}

function stampOf(root) {
  return join(root, 'dist', '.built');
}

/** The newest file tsc reads (server/**\/*.ts and the tsconfig files), with its time. */
function newestSource(root) {
  let newest = { path: '', time: 0 };
  const consider = (path) => {
    const time = statSync(path).mtimeMs;
    if (time > newest.time) newest = { path, time };
  };
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) consider(path);
    }
  };
  walk(join(root, 'server'));
  for (const name of ['tsconfig.json', 'tsconfig.build.json']) if (existsSync(join(root, name))) consider(join(root, name));
  return newest;
}

/** Why a build is needed (a sentence), or null when dist/ is up to date. */
export function buildReason(root = ROOT) {
  if (!existsSync(entryOf(root)) || !existsSync(stampOf(root))) return 'dist/ has not been built yet';
  const built = statSync(stampOf(root)).mtimeMs;
  const newest = newestSource(root);
  return newest.time > built ? `${relative(root, newest.path)} changed since the last build` : null;
}

/** Runs tsc (incrementally) and marks the build; returns tsc's exit status. */
export function build(root = ROOT) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [tsc, '-p', join(root, 'tsconfig.build.json'), '--incremental', '--tsBuildInfoFile', join(root, 'dist', '.tsbuildinfo')],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) return result.status ?? 1;
  // The build's start, not its end: a source saved while tsc ran counts as newer next time.
  const stamp = stampOf(root);
  writeFileSync(stamp, '');
  utimesSync(stamp, started / 1000, started / 1000);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = build();
}
