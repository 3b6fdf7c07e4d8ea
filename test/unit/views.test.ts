// Every view runs in strict mode without `with` (server/web/view-engine.ts), so it must declare
// each local it reads on its first line: a name it forgot would fail only when that branch runs.
// This finds, for every template, the names its compiled code reads but never declares.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ejs from 'ejs';
import detectGlobals from 'acorn-globals';
import { describe, expect, it } from 'vitest';
import { VIEWS_DIR } from '../../server/paths.js';

/** The names EJS itself gives a compiled view. */
const EJS_NAMES = new Set(['locals', 'escapeFn', 'include', 'rethrow', '__output', '__append', '__line', '__lines', '__filename']);

function views(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return views(path);
    return entry.name.endsWith('.ejs') ? [path] : [];
  });
}

/** Names a view reads without declaring them, JavaScript's globals (Math, String …) aside. */
function undeclared(text: string): string[] {
  const template = new ejs.Template(text, { strict: true, compileDebug: false });
  template.compile();
  const code = `function view(locals, escapeFn, include, rethrow) {\n${template.source}\n}`;
  return [...new Set(detectGlobals(code).map((g) => g.name))].filter((name) => !EJS_NAMES.has(name) && !(name in globalThis));
}

describe('views', () => {
  const files = views(VIEWS_DIR);

  it('are all found', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it.each(files.map((file) => [relative(VIEWS_DIR, file), file]))('%s declares every local it reads', (_name, file) => {
    expect(undeclared(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('a view that reads an undeclared local is caught', () => {
    expect(undeclared('<% const { a } = locals; -%><%= a %><%= b %>')).toEqual(['b']);
  });
});
