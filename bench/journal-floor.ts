// Diagnostics for the journal section's restart row (no target): the two parts of any start
// that no journal format can make cheaper, each measured in a fresh Node with the server's
// garbage-collector flags, in the same run as the row:
//   - loading the modules `framelens serve` loads before it answers with the app (process CPU at
//     the end of the imports, Node's own start included);
//   - reading and checking every tag shard and keeping them, as a start does (fs reads, JSON.parse,
//     the schema check), nothing else.
// Their sum is the CPU a start without a journal cannot go below with tags kept as objects.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { garbageCollectionFlags } from '../server/runtime.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface StartFloor {
  /** CPU milliseconds of a Node that imports what the server imports, then exits. */
  modulesMs: number;
  /** CPU milliseconds spent reading, parsing and checking the tag shards (not the process start). */
  shardsMs: number;
  shards: number;
}

// The modules `serve` imports (each its own file in the bundle, found through dist/metafile.json).
const MODULES = [
  'server/commands/serve.ts',
  'server/app.ts',
  'server/storage/activities.ts',
  'server/storage/store.ts',
  'server/storage/shipped-codebooks.ts',
  'server/demo/seed.ts',
  'server/accounts/admin.ts',
  'server/accounts/users.ts',
  'server/accounts/requests.ts',
  'server/control/socket.ts',
  'server/web/session.ts',
];

/** The bundle's file for each source in `sources` that the bundle loads on its own (a dynamic import). */
function bundledFiles(root: string, sources: string[]): string[] {
  const metafile: unknown = JSON.parse(readFileSync(join(root, 'dist', 'metafile.json'), 'utf8'));
  const outputs: unknown = typeof metafile === 'object' && metafile !== null ? Reflect.get(metafile, 'outputs') : undefined;
  if (typeof outputs !== 'object' || outputs === null) throw new Error('dist/metafile.json has no outputs: run npm run build');
  const byEntry = new Map<string, string>();
  for (const [file, output] of Object.entries(outputs)) {
    const entry: unknown = typeof output === 'object' && output !== null ? Reflect.get(output, 'entryPoint') : undefined;
    if (typeof entry === 'string') byEntry.set(entry, join(root, file));
  }
  return sources.map((source) => {
    const file = byEntry.get(source);
    if (file === undefined) throw new Error(`the bundle has no file of its own for ${source}`);
    return file;
  });
}

function runNode(code: string, flags: string[] = []): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...garbageCollectionFlags(), ...flags, '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (status) => {
      if (status !== 0) reject(new Error(`the floor measurement exited with ${status}: ${out}`));
      else resolve(JSON.parse(out));
    });
  });
}

function numberIn(value: unknown, key: string): number {
  const n: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
  if (typeof n !== 'number') throw new Error(`no ${key} in ${JSON.stringify(value)}`);
  return n;
}

/**
 * Measures both parts: the modules against the built server in `root`/dist, the shards (timed
 * after the imports, so from the TypeScript sources through tsx) on the study in `dataDir`.
 */
export async function startFloor(root: string, dataDir: string): Promise<StartFloor> {
  const url = (path: string) => JSON.stringify(pathToFileURL(path).href);
  const cpu = 'const u = process.cpuUsage(since); return (u.user + u.system) / 1000;';
  const modules = await runNode(
    `const since = undefined; const cpu = () => { ${cpu} };
     for (const m of [${bundledFiles(root, MODULES).map(url).join(',')}]) await import(m);
     console.log(JSON.stringify({ ms: cpu() }));`,
  );
  const shards = await runNode(
    `import { readdirSync, readFileSync } from 'node:fs';
     import { join } from 'node:path';
     const { parse } = await import(${url(join(root, 'server', 'storage', 'schemas.ts'))});
     const { decodePack } = await import(${url(join(root, 'server', 'storage', 'tag-pack.ts'))});
     const dir = ${JSON.stringify(join(dataDir, 'tags'))};
     const packs = readdirSync(dir).filter((f) => f.endsWith('.pack'));
     const since = process.cpuUsage(); const cpu = () => { ${cpu} };
     const kept = [];
     for (const p of packs) {
       const bytes = readFileSync(join(dir, p));
       for (const e of decodePack(p, p.slice(0, -5), bytes)) kept.push(parse.annotation(JSON.parse(bytes.toString('utf8', e.start, e.start + e.length))));
     }
     console.log(JSON.stringify({ ms: cpu(), shards: kept.length }));`,
    ['--import', 'tsx'],
  );
  return { modulesMs: numberIn(modules, 'ms'), shardsMs: numberIn(shards, 'ms'), shards: numberIn(shards, 'shards') };
}
