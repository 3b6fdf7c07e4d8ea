// The architecture as the tree promises it: no import cycles among the server's modules, the web
// layer's error handler imports no other layer, commands never import a route module, and the
// store's refusals are plain errors (a status for the web layer to map, no HTTP types).
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissingCodebookError, Store } from '../../server/storage/store.js';
import { HttpError } from '../../server/web/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every server module and the modules it imports at run time (type-only imports left out). */
async function importGraph(): Promise<Map<string, string[]>> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (path.endsWith('.ts')) files.push(path);
    }
  };
  await walk(join(ROOT, 'server'));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    const deps = [...source.matchAll(/^(?:import|export)\s+(?!type\b)[^'";]*?from\s+'(\.[^']+)'/gm)].map((m) =>
      relative(ROOT, resolve(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts'))),
    );
    graph.set(relative(ROOT, file), deps);
  }
  return graph;
}

describe('layers', () => {
  it('has no import cycle', async () => {
    const graph = await importGraph();
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'open');
      path.push(node);
      for (const dep of graph.get(node) ?? []) {
        if (state.get(dep) === 'open') cycles.push([...path.slice(path.indexOf(dep)), dep].join(' → '));
        else if (!state.has(dep)) visit(dep);
      }
      path.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });

  it('web/errors.ts imports no other layer; commands import no route module', async () => {
    const graph = await importGraph();
    expect(graph.get('server/web/errors.ts')).toEqual([]);
    for (const [file, deps] of graph) {
      if (file.startsWith('server/commands/')) expect(deps.filter((d) => d.startsWith('server/routes/')), file).toEqual([]);
    }
  });

  it('a missing codebook is a plain error from the store, not an HTTP one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'framelens-layers-'));
    try {
      const store = await Store.open(dir, [], { readOnly: true });
      await store.ready;
      let thrown: unknown;
      try {
        store.codebookOf({ codebookId: 'gone' });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MissingCodebookError);
      expect(thrown).not.toBeInstanceOf(HttpError);
      expect(thrown).not.toHaveProperty('status');
      expect(String(thrown)).toMatch(/"gone" is missing/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
