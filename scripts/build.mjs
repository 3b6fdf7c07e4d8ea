// Building the server into dist/: an esbuild bundle of server/ (ESM, Node 20), and knowing when a
// build is needed at all: when a source under server/, the tsconfig, package.json or this script
// is newer than the last build (dist/.built, touched after each successful build). Plain
// JavaScript, so that `npm start` can run it before anything is built. `node scripts/build.mjs`
// builds. Types are checked by `npm run check` (tsc), not here: the build only strips them.
//
// Why a bundle (issue 14, a restart within 2 s): Node loads one file per module, and the server's
// start loads ~400 of ours and of a few packages'. Loading the serve graph took 870–970 ms of
// CPU from tsc's output, 740–850 from a bundle of our code alone, and 570–680 with the packages
// in BUNDLED inside it (12 alternating runs each, load 13).
import { existsSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packages bundled into dist/ rather than loaded from node_modules at run time: pure JavaScript
 * that the server loads at start, each measured to load faster bundled (CPU to import it alone,
 * median of 5: express 120 → 60 ms, zod 77 → 12, express-session 57 → 0, express-rate-limit
 * 46 → 28, csrf-sync 40 → 0, csrf-csrf 15 → 11). Every other dependency stays external: argon2 is
 * native, `natural` and @zxcvbn-ts are read file by file through createRequire, multer and
 * qrcode load on first use (server/web/lazy.ts), pg only for PostgreSQL, and the rest showed no gain.
 */
export const BUNDLED = ['csrf-csrf', 'csrf-sync', 'express', 'express-rate-limit', 'express-session', 'zod'];

/** The bundle's entry points, as [name in dist/server, source]. */
const ENTRIES = {
  cli: 'server/cli.ts',
  // The training worker (server/suggest/train.ts) is started from its file: `./train-worker.js`
  // beside the code that starts it, which holds because every output is in dist/server itself.
  'train-worker': 'server/suggest/train-worker.ts',
};

// Bundled CommonJS packages call require() for Node's own modules; an ES module has none.
const BANNER = "import { createRequire as __framelensCreateRequire } from 'node:module'; const require = __framelensCreateRequire(import.meta.url);";

/** The command line, which `npm start` runs. */
export function entryOf(root = ROOT) {
  return join(root, 'dist', 'server', 'cli.js');
}

function stampOf(root) {
  return join(root, 'dist', '.built');
}

/** The newest file the build reads (server/**\/*.ts, the tsconfig, package.json, this script), with its time. */
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
  for (const name of ['tsconfig.json', 'package.json', join('scripts', 'build.mjs')]) if (existsSync(join(root, name))) consider(join(root, name));
  return newest;
}

/** Why a build is needed (a sentence), or null when dist/ is up to date. */
export function buildReason(root = ROOT) {
  if (!existsSync(entryOf(root)) || !existsSync(stampOf(root))) return 'dist/ has not been built yet';
  const built = statSync(stampOf(root)).mtimeMs;
  const newest = newestSource(root);
  return newest.time > built ? `${relative(root, newest.path)} changed since the last build` : null;
}

/**
 * Bundles server/ into `outDir` (a folder under `root`, so that the bundle finds node_modules and
 * the project's files from there) and removes what an earlier build left in it. Resolves with
 * esbuild's metafile (inputs and outputs), or null when the build failed (esbuild has printed why).
 */
export async function bundle(root = ROOT, outDir = join(root, 'dist', 'server')) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.error('Framelens: esbuild, which builds the server, is not installed: run npm install.');
    return null;
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: ENTRIES,
      outdir: outDir,
      bundle: true,
      splitting: true, // each command and each lazily imported module its own file, loaded when used
      format: 'esm',
      platform: 'node',
      target: 'node20',
      chunkNames: '[name]-[hash]',
      external: Object.keys(pkg.dependencies ?? {}).filter((name) => !BUNDLED.includes(name)),
      banner: { js: BANNER },
      // Fewer bytes to read, decode and parse at start: 60–70 ms less CPU for the serve graph
      // (medians of 16 alternating runs, load 6–7). Names are kept, for stack traces.
      minifyWhitespace: true,
      minifySyntax: true,
      // Read only when a stack trace is printed (server/stack-traces.ts), never at start.
      sourcemap: 'linked',
      sourcesContent: false,
      metafile: true,
      logLevel: 'warning',
    });
  } catch {
    return null;
  }
  const made = new Set(Object.keys(result.metafile.outputs).map((path) => join(root, path)));
  for (const entry of readdirSync(outDir, { withFileTypes: true })) {
    const path = join(outDir, entry.name);
    if (!made.has(path)) rmSync(path, { recursive: true, force: true });
  }
  return result.metafile;
}

/** Bundles the server into dist/ and marks the build; returns an exit status. */
export async function build(root = ROOT) {
  const started = Date.now();
  const metafile = await bundle(root);
  if (metafile === null) return 1;
  // What went into which file, for the bench (bench/journal-floor.ts) and for anyone asking why
  // the bundle is the size it is (esbuild's analyser reads it).
  writeFileSync(join(root, 'dist', 'metafile.json'), JSON.stringify(metafile));
  rmSync(join(root, 'dist', '.tsbuildinfo'), { force: true }); // left by the tsc builds before the bundle
  // The build's start, not its end: a source saved while it ran counts as newer next time.
  const stamp = stampOf(root);
  writeFileSync(stamp, '');
  utimesSync(stamp, started / 1000, started / 1000);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await build();
}
