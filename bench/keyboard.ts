// The annotator's loop by keyboard alone, in Chromium with the script on: 30 spans over the first
// 10 sentences of the demo article, each tagged with / and the word's letters, Shift+→ for a
// second word, the category's key and Enter, then j to the next sentence. Measured in the page:
// from Enter to the announcement in the live region. The baseline, in the same page and the same
// run, interleaved: the bare save request (the plain form's POST, answered 303 without a page).
// The server is the real one (dist/server/cli.js serve), in its own process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createUser } from '../server/accounts/users.js';
import { adoptOrphanProjects } from '../server/demo/seed.js';
import { openData } from '../server/commands/serve.js';
import { spawnServer, stopServer, type Spawned } from './http.js';

const PASSWORD = 'correct horse battery staple';
const SENTENCES = 10;
/** Per sentence: the first word of each span and how many words it has (1 or 2). */
const SPANS: [number, number][] = [
  [1, 1],
  [4, 2],
  [8, 1],
];
const CATEGORIES = ['h', 'l', 'w'];

export interface KeyboardFigures {
  tags: number;
  /** Enter → announcement, ms, per tag. */
  saves: number[];
  /** The bare save request's round trip, ms, per request. */
  bare: number[];
  keystrokes: number;
  /** Keystrokes spent moving between sentences (j), included in `keystrokes`. */
  moves: number;
  navigated: boolean;
}

/** Milliseconds between Enter and the live region's "Saved:", as the page measured them. */
const WATCH = `(() => {
  window.benchSaves = [];
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.benchEnter = performance.now(); }, true);
  const live = document.getElementById('live');
  new MutationObserver(() => {
    if ((live.textContent || '').startsWith('Saved:') && window.benchEnter !== undefined) {
      window.benchSaves.push(performance.now() - window.benchEnter);
      window.benchEnter = undefined;
    }
  }).observe(live, { childList: true, characterData: true, subtree: true });
  window.stayedOnPage = 'yes';
})()`;

/** One bare save, the plain form's request, from the page: its round trip in ms. */
function bareSave(page: Page, articleId: string, word: number): Promise<number> {
  return page.evaluate(
    `(async () => {
      const token = document.querySelector('input[name="_csrf"]').value;
      const body = new URLSearchParams({ _csrf: token, first: '${word}', last: '${word}', category: 'hedge', voice: 'author', intensity: '', note: '' });
      const t0 = performance.now();
      const response = await fetch('/articles/${articleId}/sentences/13/tags', { method: 'POST', body, redirect: 'manual' });
      const ms = performance.now() - t0;
      if (response.type !== 'opaqueredirect') throw new Error('bare save: ' + response.status);
      return ms;
    })()`,
  ) as Promise<number>;
}

/** Waits in the page (no polling over the DevTools protocol, which would load this process). */
function until(page: Page, expression: string): Promise<unknown> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const deadline = performance.now() + 30000;
    const check = () => (${expression}) ? resolve(true) : performance.now() > deadline ? reject(new Error('timed out: ${expression.replace(/'/g, '')}')) : setTimeout(check, 2);
    check();
  })`);
}

export async function keyboardBench(root: string, log: (...args: unknown[]) => void): Promise<KeyboardFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'framelens-keyboard-'));
  // The data folder as a first start leaves it (the demo project), with a researcher and an annotator.
  const store = await openData(dir);
  const researcher = await createUser(store, 'rhea', 'researcher', PASSWORD);
  await adoptOrphanProjects(store, researcher.id);
  const annotator = await createUser(store, 'ann', 'annotator', PASSWORD);
  const article = store.articles()[0];
  if (!article) throw new Error('no demo article');
  await store.projects.update((file) => file.data.projects[0]?.members.push({ userId: annotator.id, role: 'annotator' }));
  await store.close();
  let server: Spawned | null = null;
  server = await spawnServer(
    [join(root, 'dist/server/cli.js'), 'serve'],
    { ...process.env, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' },
    /on http:\/\/127\.0\.0\.1:(\d+)/,
    '/signin',
  );
  const base = server.base;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = await (await browser.newContext({ baseURL: base })).newPage();
    let loads = 0;
    await page.goto('/signin');
    await page.getByLabel('Name').fill('ann');
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.goto(`/articles/${article.id}/sentences/1`);
    await page.evaluate(WATCH);
    page.on('load', () => loads++);
    // Warm-up: the server's and the browser's first requests are not what is measured.
    for (let i = 0; i < 3; i++) await bareSave(page, article.id, 30 + i);

    let keystrokes = 0;
    let moves = 0;
    let tags = 0;
    const bare: number[] = [];
    const press = async (key: string) => {
      keystrokes++;
      await page.keyboard.press(key);
    };
    for (let n = 1; n <= SENTENCES; n++) {
      for (const [i, [first, length]] of SPANS.entries()) {
        await press('/');
        const label = (await page.locator(`#sentence .word[data-word="${first}"]`).first().getAttribute('data-hint')) ?? '';
        for (const letter of label) await press(letter);
        if (length === 2) await press('Shift+ArrowRight');
        await press(CATEGORIES[i] ?? 'h');
        const before = tags;
        await press('Enter');
        tags++;
        await until(page, `window.benchSaves.length > ${before}`);
        bare.push(await bareSave(page, article.id, tags - 1));
      }
      if (n < SENTENCES) {
        moves++;
        await press('j');
        await until(page, `document.querySelector('h1')?.textContent === 'Sentence ${n + 1} of 13'`);
      }
    }
    const saves = (await page.evaluate('window.benchSaves')) as number[];
    const stored = (await page.locator('#progress').textContent()) ?? '';
    // The 10 tagged sentences and the one the bare saves went to.
    if (!stored.trim().startsWith(`${SENTENCES + 1} of 13`)) throw new Error(`keyboard bench: progress reads "${stored}" after tagging ${SENTENCES} sentences`);
    const navigated = loads > 0 || (await page.evaluate('window.stayedOnPage')) !== 'yes';
    log(`  ${tags} tags on ${SENTENCES} sentences, ${keystrokes} keystrokes (${moves} of them j)`);
    return { tags, saves, bare, keystrokes, moves, navigated };
  } finally {
    await browser.close().catch(() => undefined);
    if (server) await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  }
}
