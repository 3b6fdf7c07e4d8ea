// `framelens gold import PROJECT FILE`: a project's gold standard from a gold JSONL export (the
// web's "gold" download), each article named in it replaced; nothing is stored unless every line
// is valid. It writes, so it refuses to run beside a server on the same data folder.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { GoldImportError, parseGoldJsonl } from '../core/curation/jsonl.js';
import { LockError, lockDataDir } from '../storage/lock.js';
import { openData } from './serve.js';
import type { IO } from './io.js';
import { readAll } from './io.js';

const USAGE = 'usage: framelens gold import PROJECT FILE|-   (PROJECT is its id or name)\n';

export async function goldCommand(args: string[], io: IO): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [verb, which, file] = positionals;
  if (verb !== 'import' || !which || !file || positionals.length > 3) {
    io.stderr.write(USAGE);
    return 2;
  }
  const text = file === '-' ? await readAll(io.stdin) : await readFile(file, 'utf8');
  const dataDir = loadConfig(process.env).dataDir;
  try {
    await lockDataDir(dataDir);
  } catch (error) {
    if (!(error instanceof LockError)) throw error;
    io.stderr.write(`${error.message}\nWhile the server runs, import gold on the project's Curation page instead.\n`);
    return 1;
  }
  const store = await openData(dataDir);
  try {
    const all = store.projects.data.data.projects;
    const project = all.find((p) => p.id === which) ?? all.find((p) => p.name.toLowerCase() === which.toLowerCase());
    if (!project) {
      io.stderr.write(`no project "${which}"; projects: ${all.map((p) => `${p.id} (${p.name})`).join(', ')}\n`);
      return 1;
    }
    const users = store.users.data.data.users;
    let golds;
    try {
      golds = parseGoldJsonl(text, { articles: store.articles(project.id), idOf: (name) => users.find((u) => u.name === name)?.id ?? (name === 'auto-merge' ? name : undefined) });
    } catch (error) {
      if (!(error instanceof GoldImportError)) throw error;
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    for (const gold of golds) await store.curation.replace(gold.articleId, gold);
    io.stdout.write(`Imported the gold standard of ${golds.length} article${golds.length === 1 ? '' : 's'} into "${project.name}".\n`);
    return 0;
  } finally {
    await store.close();
  }
}
