// axe-core in Chromium: audit the page a tab shows (with JavaScript on or off), and crawl the
// app from a few start pages, auditing every page a signed-in user can reach by following links.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts the guide forbids: every page must have none of these. */
const FORBIDDEN = new Set(['serious', 'critical']);

export interface Finding {
  url: string;
  js: boolean;
  rule: string;
  impact: string;
  target: string;
  /** What axe measured, e.g. "insufficient color contrast of 2.9 (foreground #8a8a8f, background #fff…)". */
  detail: string;
}

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: AxeNode[];
}

/**
 * With JavaScript off Chromium runs no timers, observers or message events, so axe's scheduler
 * would never fire. While axe loads and runs, stand in for setTimeout with promise jobs (which do
 * run) and hide the MutationObserver that axe would otherwise schedule with; both are put back
 * after (Playwright's own helpers need the observer). The page's own scripts never ran.
 */
const NO_JS_SHIM = `(() => {
  const saved = { setTimeout: window.setTimeout, clearTimeout: window.clearTimeout, MutationObserver: window.MutationObserver };
  window.__axeRestore = () => Object.assign(window, saved);
  window.setTimeout = (fn, _ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  window.clearTimeout = () => {};
  window.MutationObserver = undefined;
})()`;

/** The serious and critical axe-core violations of the page as it is now (WCAG 2.x A/AA and best practice). */
export async function audit(page: Page, js: boolean): Promise<Finding[]> {
  if (!js) await page.evaluate(NO_JS_SHIM);
  let violations: AxeViolation[];
  try {
    if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
    // preload: false — axe would fetch the stylesheets again for one experimental rule.
    violations = (await page.evaluate('axe.run(document, { preload: false, resultTypes: ["violations"] }).then((r) => r.violations)')) as AxeViolation[];
  } finally {
    if (!js) await page.evaluate('window.__axeRestore()');
  }
  const url = page.url();
  const path = new URL(url).pathname + new URL(url).search;
  return violations
    .filter((v) => v.impact !== null && FORBIDDEN.has(v.impact))
    .flatMap((v) =>
      v.nodes.map((node) => ({
        url: path,
        js,
        rule: v.id,
        impact: v.impact ?? '',
        target: node.target.map(String).join(' '),
        detail: (node.failureSummary ?? '').replace(/^Fix (any|all) of the following:\s*/, '').replace(/\s+/g, ' ').trim(),
      })),
    );
}

/** One line per finding, grouped readably: "JS off  /path  color-contrast (serious)  .muted  — detail". */
export function report(findings: Finding[]): string {
  return findings
    .map((f) => `JS ${f.js ? 'on ' : 'off'}  ${f.url}  ${f.rule} (${f.impact})  ${f.target}  — ${f.detail.slice(0, 220)}`)
    .join('\n');
}

/** Links a crawl does not follow: downloads, stylesheets and images. */
const DOWNLOAD = /\.(csv|zip|json|jsonl|tex|md|txt|svg|png|css|js|conll|ann)$/i;

export interface CrawlOptions {
  /** The app's origin, e.g. http://127.0.0.1:4321 (only its links are followed). */
  base: string;
  /** Pages to start from (paths). */
  start: string[];
  js: boolean;
  /** Paths never visited (besides downloads), e.g. pages that sign out or change data on GET. */
  skip?: RegExp;
  /** At most this many pages whose paths differ only in numbers (e.g. 3 sentence pages per article). */
  perPattern?: number;
  /** At most this many pages whose paths differ only in numbers and ids (e.g. every student of a class). */
  perShape?: number;
  /** A bound on the whole crawl. */
  maxPages?: number;
}

export interface Crawled {
  /** Every page audited, as path + query, in visiting order. */
  pages: string[];
  /** Pages that answered with an error status, with the status (error pages are audited too). */
  errors: Array<{ url: string; status: number }>;
  findings: Finding[];
}

/** "/articles/x1y2/sentences/3?edit=abc" → "/articles/x1y2/sentences/:n?edit" */
export function patternOf(url: URL): string {
  const path = url.pathname.replace(/\/\d+(?=\/|$)/g, '/:n');
  const keys = [...new Set(url.searchParams.keys())].sort().join('&');
  return keys ? `${path}?${keys}` : path;
}

/** The pattern with ids too replaced: a segment of 8 or more letters and digits that has a digit or an upper-case letter. */
export function shapeOf(url: URL): string {
  return patternOf(url).replace(/\/(?=[A-Za-z0-9_-]{8,}(?:\/|\?|$))(?=[^/?]*[0-9A-Z])[A-Za-z0-9_-]+/g, '/:id');
}

/**
 * Visits the start pages, then every same-origin link they lead to (GET only: links, never
 * forms), breadth first, auditing each page with axe-core. Bounded by pattern and shape.
 */
export async function crawl(page: Page, options: CrawlOptions): Promise<Crawled> {
  const { js, skip, perPattern = 3, perShape = 6, maxPages = 150 } = options;
  const origin = new URL(options.base).origin;
  const queue: URL[] = options.start.map((p) => new URL(p, origin));
  const seen = new Set<string>();
  const patterns = new Map<string, number>();
  const shapes = new Map<string, number>();
  const result: Crawled = { pages: [], errors: [], findings: [] };
  while (queue.length > 0 && result.pages.length < maxPages) {
    const url = queue.shift();
    if (!url) break;
    url.hash = '';
    const key = url.pathname + url.search;
    if (seen.has(key)) continue;
    seen.add(key);
    if (url.origin !== origin || DOWNLOAD.test(url.pathname) || skip?.test(url.pathname)) continue;
    const pattern = patternOf(url);
    const shape = shapeOf(url);
    if ((patterns.get(pattern) ?? 0) >= perPattern || (shapes.get(shape) ?? 0) >= perShape) continue;
    let response;
    try {
      response = await page.goto(url.href);
    } catch (error) {
      // A link to a file the browser downloads (an export) is not a page.
      if (error instanceof Error && /Download is starting|ERR_ABORTED/.test(error.message)) continue;
      throw error;
    }
    if (!response || !/^text\/html/.test(response.headers()['content-type'] ?? '')) continue;
    const landed = new URL(page.url());
    const landedKey = landed.pathname + landed.search;
    // A redirect to a page already audited (e.g. /j/CODE → /join?code=…) is not audited twice.
    if (landedKey !== key && seen.has(landedKey) && result.pages.includes(landedKey)) continue;
    seen.add(landedKey);
    patterns.set(pattern, (patterns.get(pattern) ?? 0) + 1);
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    result.pages.push(landedKey);
    if (response.status() >= 400) result.errors.push({ url: landedKey, status: response.status() });
    result.findings.push(...(await audit(page, js)));
    // getAttribute, not .href: an SVG link's href is an object, not a string.
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    for (const href of hrefs) {
      const next = new URL(href, page.url());
      next.hash = '';
      if (!seen.has(next.pathname + next.search)) queue.push(next);
    }
  }
  return result;
}

export interface FocusStop {
  /** Tag, id and classes of the focused element, e.g. "a.button" or "input#name". */
  element: string;
  url: string;
  outlineStyle: string;
  outlineWidth: number;
  outlineColour: string;
  /** Background colours from the element's parent up to the root, nearest first (as computed). */
  backgrounds: string[];
}

/** The focused element's outline and the backgrounds behind it (a string: the tests have no DOM types). */
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const backgrounds = [];
  for (let p = el.parentElement; p; p = p.parentElement) backgrounds.push(getComputedStyle(p).backgroundColor);
  const classes = [...el.classList].map((c) => '.' + c).join('');
  return {
    element: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes,
    key: [el.tagName, el.id, el.getAttribute('href'), (el.textContent || '').slice(0, 40), el.getBoundingClientRect().top + scrollY].join('|'),
    url: location.pathname + location.search,
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineColour: style.outlineColor,
    backgrounds,
  };
})()`;

/**
 * Presses Tab up to `max` times from the top of the page and records, for each element that gets
 * focus, its focus outline and the backgrounds the outline is drawn over (the parent's and up).
 */
export async function focusStops(page: Page, max: number): Promise<FocusStop[]> {
  const stops: FocusStop[] = [];
  const seen = new Set<unknown>();
  await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const stop = (await page.evaluate(FOCUSED)) as (FocusStop & { key: string }) | null;
    if (!stop || seen.has(stop.key)) break; // back at the start: every stop seen
    seen.add(stop.key);
    const { key: _key, ...rest } = stop;
    stops.push(rest);
  }
  return stops;
}

/** A computed CSS colour ("rgb(1, 2, 3)", "rgba(1, 2, 3, 0.5)", "color(srgb 0.1 0.2 0.3 / 0.28)") as RGB 0–255 and alpha. */
export function cssColour(value: string): { rgb: [number, number, number]; alpha: number } {
  const rgb = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)$/.exec(value);
  if (rgb) return { rgb: [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])], alpha: rgb[4] === undefined ? 1 : Number(rgb[4]) };
  const srgb = /^color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)(?:\s*\/\s*([\d.]+))?\s*\)$/.exec(value);
  if (srgb) return { rgb: [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255], alpha: srgb[4] === undefined ? 1 : Number(srgb[4]) };
  throw new Error(`cannot read the colour ${value}`);
}

/** What the eye sees behind an element: its ancestors' backgrounds (nearest first) laid over the white canvas. */
export function seenBackground(backgrounds: string[]): [number, number, number] {
  let seen: [number, number, number] = [255, 255, 255];
  for (const value of [...backgrounds].reverse()) {
    const { rgb, alpha } = cssColour(value);
    seen = [0, 1, 2].map((i) => (rgb[i] ?? 0) * alpha + (seen[i] ?? 0) * (1 - alpha)) as [number, number, number];
  }
  return seen;
}
