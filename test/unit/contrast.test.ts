// Colour contrast: the WCAG formula against published reference values, then every colour pair
// the stylesheets and the codebooks rely on (WCAG 2.2 AA: text 4.5:1, lines, swatches and the
// focus indicator 3:1), read from the files themselves so that a colour change that breaks AA
// fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { categories, parseCodebook } from '../../server/core/codebook.js';
import {
  GRAPHIC_CONTRAST,
  HIGHLIGHT_ALPHA,
  PAGE,
  TEXT_CONTRAST,
  categoryShades,
  contrast,
  luminance,
  mix,
  parseHex,
  type Rgb,
} from '../../server/core/contrast.js';
import { codebookCss } from '../../server/routes/codebooks.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const WHITE: Rgb = [255, 255, 255];

describe('the WCAG 2.x contrast ratio', () => {
  // Reference values from the WebAIM contrast checker and the WCAG 2.x definition (G17, G18).
  it.each([
    ['#000000', '#ffffff', 21],
    ['#ffffff', '#ffffff', 1],
    ['#767676', '#ffffff', 4.54],
    ['#777777', '#ffffff', 4.48],
    ['#595959', '#ffffff', 7.0],
    ['#0000ff', '#ffffff', 8.59],
    ['#ff0000', '#ffffff', 4.0],
    ['#00ff00', '#000000', 15.3],
    ['#ffbf47', '#ffffff', 1.64],
  ])('%s on %s is %s:1', (fg, bg, expected) => {
    expect(contrast(parseHex(fg), parseHex(bg))).toBeCloseTo(expected, 1);
    expect(contrast(parseHex(bg), parseHex(fg))).toBeCloseTo(expected, 1);
  });

  it('uses the sRGB transfer function with its 0.04045 threshold', () => {
    expect(luminance([255, 255, 255])).toBe(1);
    expect(luminance([0, 0, 0])).toBe(0);
    // 10/255 = 0.0392 is on the linear segment: 0.0392 / 12.92.
    expect(luminance([10, 10, 10])).toBeCloseTo(10 / 255 / 12.92, 10);
    expect(luminance([128, 128, 128])).toBeCloseTo(0.2158605, 6);
  });

  it('reads short and long hex and refuses anything else', () => {
    expect(parseHex('#fff')).toEqual([255, 255, 255]);
    expect(parseHex('#1F5FBF')).toEqual([31, 95, 191]);
    expect(() => parseHex('red')).toThrow('not a hex colour');
    expect(() => parseHex('#12345')).toThrow('not a hex colour');
  });
});

// --- The stylesheets --------------------------------------------------------------------------

/** selector → property → value, over both stylesheets (later rules win, as in the browser). */
function rules(...files: string[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const file of files) {
    const css = read(file).replace(/\/\*[\s\S]*?\*\//g, '');
    for (const [, selectors = '', body = ''] of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
      for (const selector of selectors.split(',').map((s) => s.trim().replace(/\s+/g, ' '))) {
        const declarations = out.get(selector) ?? new Map<string, string>();
        for (const declaration of body.split(';')) {
          const colon = declaration.indexOf(':');
          if (colon > 0) declarations.set(declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim());
        }
        out.set(selector, declarations);
      }
    }
  }
  return out;
}

const css = rules('public/css/app.css', 'public/css/classroom.css');
const rootVars = css.get(':root') ?? new Map<string, string>();

/** A property of a rule, with var(--x) resolved from :root; the hex colour in it. */
function colourOf(selector: string, property: string): string {
  const value = css.get(selector)?.get(property);
  if (value === undefined) throw new Error(`no ${property} in ${selector}`);
  return resolve(value, `${selector} { ${property} }`);
}

function resolve(value: string, where: string): string {
  const start = value.indexOf('var(');
  if (start >= 0) {
    // var(--name) or var(--name, fallback): the fallback runs to the matching parenthesis.
    let depth = 0;
    let end = start + 4;
    for (; end < value.length; end++) {
      if (value[end] === '(') depth++;
      else if (value[end] === ')' && depth-- === 0) break;
    }
    const inner = value.slice(start + 4, end);
    const comma = inner.indexOf(',');
    const name = (comma < 0 ? inner : inner.slice(0, comma)).trim();
    const defined = rootVars.get(name);
    if (defined !== undefined) return resolve(defined, where);
    if (comma >= 0) return resolve(inner.slice(comma + 1), where);
    throw new Error(`${where}: ${name} is not defined in :root`);
  }
  const hex = /#[0-9a-f]{3}(?:[0-9a-f]{3})?\b/i.exec(value)?.[0];
  if (!hex) throw new Error(`${where}: no colour in "${value}"`);
  return hex;
}

const v = (name: string) => resolve(`var(${name})`, name);

/** Every solid background the stylesheets paint (where a focused element may sit). */
function backgrounds(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const [selector, declarations] of css) {
    const value = declarations.get('background') ?? declarations.get('background-color');
    if (!value || /color-mix|transparent|none|rgb\(/.test(value)) continue;
    found.push([selector, resolve(value, selector)]);
  }
  return found;
}

type Pair = [what: string, foreground: string, background: string];

const textPairs = (): Pair[] => [
  ['body text', v('--ink'), v('--bg')],
  ['body text on panels (header bar, lesson bar, feedback items)', v('--ink'), v('--panel')],
  ['body text on a notice', v('--ink'), colourOf('.notice', 'background')],
  ['body text on a selected word', v('--ink'), colourOf('.current .word.selected', 'background')],
  ['body text on a hovered row', v('--ink'), v('--hover')],
  ['muted text', colourOf('.muted', 'color'), v('--bg')],
  ['muted text on panels', colourOf('.muted', 'color'), v('--panel')],
  ['muted text on a hovered row', colourOf('.muted', 'color'), v('--hover')],
  ['muted text on a notice', colourOf('.muted', 'color'), colourOf('.notice', 'background')],
  ['the sentences before and after', colourOf('.context', 'color'), v('--bg')],
  ['links', colourOf('a', 'color'), v('--bg')],
  ['links on panels', colourOf('a', 'color'), v('--panel')],
  ['links in a notice', colourOf('a', 'color'), colourOf('.notice', 'background')],
  ['links on a hovered row', colourOf('a', 'color'), v('--hover')],
  ['error text', colourOf('.error', 'color'), colourOf('.error', 'background')],
  ['agreement warnings', colourOf('.warning', 'color'), v('--bg')],
  ['button text', colourOf('button', 'color'), colourOf('button', 'background')],
  ['secondary button text', colourOf('button.secondary', 'color'), colourOf('button.secondary', 'background')],
  ['danger button text', colourOf('button', 'color'), colourOf('button.danger', 'background')],
  ['keys', v('--ink'), colourOf('kbd', 'background')],
  ['chart values', colourOf('.chart-value', 'fill'), v('--bg')],
  ['chart labels', colourOf('.chart-label', 'fill'), v('--bg')],
  ['lesson status: open', colourOf('.status-open', 'color'), v('--bg')],
  ['lesson status: revealed', colourOf('.status-revealed', 'color'), v('--bg')],
  ['lesson status: ended', colourOf('.status-ended', 'color'), v('--bg')],
  ['a done sentence', colourOf('.sentence-list .done .state', 'color'), v('--bg')],
  ...['.q-none', '.q0', '.q1', '.q2', '.q3', '.q4'].map((q): Pair => [`agreement cell ${q}`, v('--ink'), colourOf(q, 'background')]),
  ...['.heat-1', '.heat-2', '.heat-3'].map((h): Pair => [`heatmap word ${h}`, v('--ink'), colourOf(h, 'background')]),
  ...['.heat-4', '.heat-5'].map((h): Pair => [`heatmap word ${h}`, colourOf(h, 'color'), colourOf(h, 'background')]),
  ...['.item-matched .badge', '.item-confusion .badge', '.item-missed .badge', '.item-extra .badge'].map(
    (b): Pair => [`feedback badge ${b}`, colourOf('.badge', 'color'), colourOf(b, 'background')],
  ),
];

const graphicPairs = (): Pair[] => [
  ['form field borders', colourOf('input', 'border'), v('--bg')],
  ['the selected words’ ring', colourOf('.current .word.selected', 'box-shadow'), v('--bg')],
  ['the focus ring against its own halo', v('--focus'), v('--focus-halo')],
];

describe('the stylesheets meet WCAG 2.2 AA', () => {
  it.each(textPairs())('text: %s (%s on %s) reaches 4.5:1', (_what, fg, bg) => {
    expect(contrast(parseHex(fg), parseHex(bg))).toBeGreaterThanOrEqual(TEXT_CONTRAST);
  });

  it.each(graphicPairs())('graphics: %s (%s on %s) reach 3:1', (_what, fg, bg) => {
    expect(contrast(parseHex(fg), parseHex(bg))).toBeGreaterThanOrEqual(GRAPHIC_CONTRAST);
  });

  it('the focus indicator reaches 3:1 on every background the stylesheets paint: the ring on light ones, the halo on dark ones', () => {
    const focus = css.get(':focus-visible');
    expect(focus?.get('outline')).toMatch(/^3px solid var\(--focus\)$/);
    expect(focus?.get('box-shadow')).toMatch(/var\(--focus-halo\)/);
    const ring = parseHex(v('--focus'));
    const halo = parseHex(v('--focus-halo'));
    const all = backgrounds();
    expect(all.length).toBeGreaterThan(20);
    const weak = all.filter(([, bg]) => Math.max(contrast(ring, parseHex(bg)), contrast(halo, parseHex(bg))) < GRAPHIC_CONTRAST);
    expect(weak).toEqual([]);
    // The page backgrounds proper (where the ring, outside the element, is drawn) need the ring itself.
    for (const bg of [v('--bg'), v('--panel'), v('--hover'), colourOf('.notice', 'background'), colourOf('.error', 'background')]) {
      expect(contrast(ring, parseHex(bg)), bg).toBeGreaterThanOrEqual(GRAPHIC_CONTRAST);
    }
  });

  it('server/core/contrast.ts draws category colours with the ink and on the backgrounds app.css has', () => {
    expect(PAGE.ink).toBe(v('--ink'));
    expect(PAGE.backgrounds.map((c) => parseHex(c))).toEqual([v('--bg'), v('--panel')].map((c) => parseHex(c)));
    // The highlight's strength in app.css is the one the shades are computed for.
    const tag = css.get('.tag')?.get('background') ?? '';
    expect(tag).toMatch(/var\(--c-fill/);
    expect(Number(/(\d+)%/.exec(tag)?.[1]) / 100).toBe(HIGHLIGHT_ALPHA);
    expect(css.get('.tag')?.get('border-bottom')).toMatch(/var\(--c-line/);
    expect(css.get('.swatch')?.get('border')).toMatch(/var\(--c-line/);
  });
});

// --- Category colours -------------------------------------------------------------------------

const shipped = ['framing', 'starter', 'semeval-2023'].map((id) => parseCodebook(JSON.parse(read(`server/codebooks/${id}.json`))));

/** The colour behind the innermost words where `fills` overlap, outermost first (28 %, then 22 % per layer, as app.css). */
function stacked(fills: Rgb[]): Rgb {
  let seen = WHITE;
  fills.forEach((fill, depth) => {
    seen = mix(fill, depth === 0 ? HIGHLIGHT_ALPHA : 0.22, seen);
  });
  return seen;
}

function checkShades(colours: string[]) {
  const ink = parseHex(PAGE.ink);
  const page = PAGE.backgrounds.map((c) => parseHex(c));
  const shades = colours.map((c) => categoryShades(c));
  const problems: string[] = [];
  for (const s of shades) {
    const line = parseHex(s.line);
    const fill = parseHex(s.fill);
    for (const bg of [...page, stacked([fill])]) {
      if (contrast(line, bg) < GRAPHIC_CONTRAST) problems.push(`${s.colour}: line ${s.line} is ${contrast(line, bg).toFixed(2)}:1 on rgb(${bg.map(Math.round).join(',')})`);
    }
    for (let depth = 1; depth <= 4; depth++) {
      const behind = stacked(Array.from({ length: depth }, () => fill));
      if (contrast(ink, behind) < TEXT_CONTRAST) problems.push(`${s.colour}: ink on ${depth} layers is ${contrast(ink, behind).toFixed(2)}:1`);
    }
  }
  // The worst overlap: the four darkest highlights of the codebook, nested.
  const darkest = shades.map((s) => parseHex(s.fill)).sort((a, b) => luminance(a) - luminance(b)).slice(0, 4);
  if (contrast(ink, stacked(darkest)) < TEXT_CONTRAST) problems.push(`ink on the four darkest highlights nested: ${contrast(ink, stacked(darkest)).toFixed(2)}:1`);
  return problems;
}

describe('category colours', () => {
  it.each(shipped.map((c) => [c.id, c] as const))('%s: underlines and swatch borders reach 3:1, and words on its highlights 4.5:1', (_id, codebook) => {
    expect(checkShades(categories(codebook).map((c) => c.colour))).toEqual([]);
  });

  it('a researcher’s codebook with very dark, very light or saturated colours is drawn legibly too', () => {
    expect(checkShades(['#000000', '#000080', '#1f5fbf', '#b3261e', '#ffffff', '#ffff00', '#00ff00', '#ff00ff', '#808080'])).toEqual([]);
  });

  it('keeps a light colour’s highlight and darkens only its line, keeping the hue', () => {
    const hedge = categoryShades('#b3c1ff');
    expect(hedge.fill).toBe('#b3c1ff');
    const [r, g, b] = parseHex(hedge.line);
    expect(b).toBeGreaterThan(r);
    expect(b).toBeGreaterThan(g);
    expect(contrast(parseHex(hedge.line), WHITE)).toBeGreaterThanOrEqual(GRAPHIC_CONTRAST);
    // A colour dark enough already keeps it as its line.
    expect(categoryShades('#123456').line).toBe('#123456');
  });

  it('the codebook stylesheet carries the three shades of every category', () => {
    const framing = shipped[0];
    if (!framing) throw new Error('no framing codebook');
    const sheet = codebookCss(framing);
    for (const c of categories(framing)) {
      const s = categoryShades(c.colour);
      expect(sheet).toContain(`.c-${c.id}{--c:${s.colour};--c-fill:${s.fill};--c-line:${s.line}}`);
    }
  });
});
