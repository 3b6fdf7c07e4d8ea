// Stack traces from a bundle name the TypeScript source. A fixture that uses server/stack-traces.ts
// is bundled by esbuild with a linked source map, as scripts/build.mjs bundles the server, and
// run by a plain Node (vitest and tsx turn Node's own source maps on, which the module leaves be).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const STACK_TRACES = fileURLToPath(new URL('../../server/stack-traces.ts', import.meta.url));
const FIXTURE = `import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapStackTraces } from ${JSON.stringify(STACK_TRACES)};

export const undo = mapStackTraces(dirname(fileURLToPath(import.meta.url)));
export function fail(): never {
  const reason: string = 'boom';
  throw new Error(reason);
}
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-stacks-'));
  await writeFile(join(dir, 'fixture.ts'), FIXTURE);
  await build({ entryPoints: [join(dir, 'fixture.ts')], outdir: join(dir, 'out'), bundle: true, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', sourcesContent: false, minifyWhitespace: true, logLevel: 'error' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The stacks of fail() in a plain Node: mapped, then after the undo. */
function stacks(flags: string[] = []): Promise<string[]> {
  const code = `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'out', 'fixture.js')).href)});
    const stack = () => { try { m.fail(); } catch (error) { return error.stack; } };
    const mapped = stack(); m.undo();
    process.stdout.write(JSON.stringify([mapped, stack()]));`;
  const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => child.once('exit', (status) => (status === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`exit ${status}`)))));
}

describe('mapStackTraces', () => {
  it('names the source file, line and column of each bundled frame, on demand; the undo restores them', async () => {
    const [mapped, plain] = await stacks();
    expect(mapped?.split('\n')[0]).toBe('Error: boom');
    expect(mapped?.split('\n')[1]).toBe(`    at Module.fail (${join(dir, 'fixture.ts')}:8:9)`);
    expect(mapped).not.toContain('fixture.js');
    // A frame outside the bundle's folder stays as it was.
    expect(mapped?.split('\n')[2]).toMatch(/^    at stack \(file:\/\/\/\S+\[eval1\]:2:\d+\)$/);
    expect(plain).toMatch(/at Module\.fail \(file:\/\/\/\S+\/out\/fixture\.js:\d+:\d+\)/);
  });

  it('leaves the stacks to Node when it maps them itself (--enable-source-maps)', async () => {
    const [mapped, plain] = await stacks(['--enable-source-maps']);
    const top = (stack: string | undefined) => stack?.split('\n').slice(0, 2);
    expect(top(mapped)).toEqual(['Error: boom', `    at Module.fail (${join(dir, 'fixture.ts')}:8:9)`]);
    expect(top(plain)).toEqual(top(mapped));
  });
});
