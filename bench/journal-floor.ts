// Diagnostics for the journal section's restart row (no target): the two parts of any start
// that no journal format can make cheaper, each measured in a fresh Node with the server's
// garbage-collector flags, in the same run as the row:
//   - loading the modules `framelens serve` loads before it answers with the app (process CPU at
//     the end of the imports, Node's own start included);
//   - reading and checking every tag shard and keeping them, as a start does (fs reads, JSON.parse,
//     the schema check), nothing else.
// Their sum is the CPU a start without a journal cannot go below with tags kept as objects.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { garbageCollectionFlags } from '../server/runtime.js';

export interface StartFloor {
  /** CPU milliseconds of a Node that imports what the server imports, then exits. */
  modulesMs: number;
  /** CPU milliseconds spent reading, parsing and checking the tag shards (not the process start). */
  shardsMs: number;
  shards: number;
}

const MODULES = [
  'server/commands/serve.js',
  'server/app.js',
  'server/storage/activities.js',
  'server/storage/store.js',
  'server/storage/shipped-codebooks.js',
  'server/demo/seed.js',
  'server/accounts/admin.js',
  'server/accounts/users.js',
  'server/accounts/requests.js',
  'server/control/socket.js',
];

function runNode(code: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...garbageCollectionFlags(), '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** Measures both parts against the built server in `root`/dist and the study in `dataDir`. */
export async function startFloor(root: string, dataDir: string): Promise<StartFloor> {
  const dist = (path: string) => JSON.stringify(pathToFileURL(join(root, 'dist', path)).href);
  const cpu = 'const u = process.cpuUsage(since); return (u.user + u.system) / 1000;';
  const modules = await runNode(
    `const since = undefined; const cpu = () => { ${cpu} };
     for (const m of [${MODULES.map(dist).join(',')}]) await import(m);
     console.log(JSON.stringify({ ms: cpu() }));`,
  );
  const shards = await runNode(
    `import { readdirSync, readFileSync } from 'node:fs';
     import { join } from 'node:path';
     const { parse } = await import(${dist('server/storage/schemas.js')});
     const dir = ${JSON.stringify(join(dataDir, 'tags'))};
     const files = [];
     for (const a of readdirSync(dir)) for (const f of readdirSync(join(dir, a))) if (f.endsWith('.json')) files.push(join(dir, a, f));
     const since = process.cpuUsage(); const cpu = () => { ${cpu} };
     const kept = files.map((f) => parse.annotation(JSON.parse(readFileSync(f, 'utf8'))));
     console.log(JSON.stringify({ ms: cpu(), shards: kept.length }));`,
  );
  return { modulesMs: numberIn(modules, 'ms'), shardsMs: numberIn(shards, 'ms'), shards: numberIn(shards, 'shards') };
}
