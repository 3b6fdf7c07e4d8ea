// Stack traces from the bundle (dist/server, scripts/build.mjs) point at server/*.ts. Node's own
// --enable-source-maps reads and parses the map of every module as it loads it: 95–140 ms more
// CPU for the server's start (issue 14, 12 alternating runs). Here a map is read only when a
// stack trace shows a frame from its file, as V8 formats a stack when it is first read.
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function isPayload(value: unknown): value is SourceMapPayload {
  return typeof value === 'object' && value !== null && 'mappings' in value && typeof value.mappings === 'string' && 'sources' in value && Array.isArray(value.sources);
}

/** `file`'s source map (beside it, `file.map`), read once; null when it has none. */
function mapReader(): (file: string) => SourceMap | null {
  const maps = new Map<string, SourceMap | null>();
  return (file) => {
    let map = maps.get(file);
    if (map === undefined) {
      map = null;
      try {
        const payload: unknown = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
        if (isPayload(payload)) map = new SourceMap(payload);
      } catch {
        // No map, or an unreadable one: the frame stays as it is.
      }
      maps.set(file, map);
    }
    return map;
  };
}

/** A call site that prints as `text` and answers everything else as `site` does. */
function printedAs(site: NodeJS.CallSite, text: string): NodeJS.CallSite {
  return new Proxy(site, {
    get(target, key) {
      if (key === 'toString') return () => text;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Makes stack traces show, for each frame in a file of `dir` that has a source map, the source
 * file, line and column instead. Nothing changes when Node was started with --enable-source-maps
 * (it maps them itself). Returns the undo.
 */
export function mapStackTraces(dir: string): () => void {
  const format = Error.prepareStackTrace;
  if (process.sourceMapsEnabled || format === undefined) return () => {};
  const mapOf = mapReader();
  const mapped = (site: NodeJS.CallSite): NodeJS.CallSite => {
    const name = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (!name || line === null || column === null) return site;
    const file = name.startsWith('file:') ? fileURLToPath(name) : name;
    if (dirname(file) !== dir) return site;
    const map = mapOf(file);
    const entry = map?.findEntry(line - 1, column - 1);
    if (!entry || !('originalSource' in entry)) return site;
    const source = fileURLToPath(new URL(entry.originalSource, pathToFileURL(file)));
    const text = site.toString();
    const at = `${name}:${line}:${column}`;
    return text.includes(at) ? printedAs(site, text.replace(at, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`)) : site;
  };
  const prepare = (error: Error, trace: NodeJS.CallSite[]): unknown => format(error, trace.map(mapped));
  Error.prepareStackTrace = prepare;
  return () => {
    if (Error.prepareStackTrace === prepare) Error.prepareStackTrace = format;
  };
}

