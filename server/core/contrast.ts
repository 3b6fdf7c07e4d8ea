// Colour contrast as WCAG 2.x defines it (relative luminance, contrast ratio), and the shades
// Framelens derives from a codebook's category colours so that what carries meaning stays
// visible on the page: 3:1 for lines and shapes (SC 1.4.11), 4.5:1 for text (SC 1.4.3).
// Pure: no I/O.

/** Red, green and blue, 0–255. */
export type Rgb = readonly [number, number, number];

/** WCAG's minimums: text (SC 1.4.3), and user-interface components and graphics (SC 1.4.11). */
export const TEXT_CONTRAST = 4.5;
export const GRAPHIC_CONTRAST = 3;

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/**
 * What category colours are drawn with and on, as public/css/app.css defines them (--ink, --bg,
 * --panel); test/unit/contrast.test.ts fails if the two drift apart.
 */
export const PAGE = { ink: '#1d1d1f', backgrounds: ['#ffffff', '#f6f6f8'] } as const;

/** How strongly a tag's highlight shows its colour over the page (app.css: `.tag`, 28 %). */
export const HIGHLIGHT_ALPHA = 0.28;

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** "#1f5fbf" or "#fff" → [31, 95, 191]; throws on anything else. */
export function parseHex(hex: string): Rgb {
  const digits = HEX.exec(hex.trim())?.[1];
  if (!digits) throw new Error(`not a hex colour: ${hex}`);
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits;
  const channel = (i: number) => parseInt(full.slice(2 * i, 2 * i + 2), 16);
  return [channel(0), channel(1), channel(2)];
}

export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

/** Relative luminance (WCAG 2.x; sRGB with IEC 61966-2-1's 0.04045 threshold). */
export function luminance([r, g, b]: Rgb): number {
  const linear = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** (L1 + 0.05) / (L2 + 0.05), the lighter over the darker: from 1 (same) to 21 (black on white). */
export function contrast(a: Rgb, b: Rgb): number {
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** `top` at `alpha` (0–1) over `bottom`: CSS `color-mix(in srgb, top alpha, bottom)`, or a translucent layer. */
export function mix(top: Rgb, alpha: number, bottom: Rgb): Rgb {
  const channel = (i: 0 | 1 | 2) => top[i] * alpha + bottom[i] * (1 - alpha);
  return [channel(0), channel(1), channel(2)];
}

function rounded([r, g, b]: Rgb): Rgb {
  return [Math.round(r), Math.round(g), Math.round(b)];
}

/**
 * The colour mixed with `toward` in 2 % steps, so that its hue stays, until `good` accepts it;
 * unchanged if it already passes.
 */
function shift(colour: Rgb, toward: Rgb, good: (shade: Rgb) => boolean): Rgb {
  for (let step = 0; step <= 50; step++) {
    const shade = rounded(mix(toward, step / 50, colour));
    if (good(shade)) return shade;
  }
  return toward;
}

export interface CategoryShades {
  /** The codebook's colour: swatches, chart bars. */
  colour: string;
  /** The highlight's base colour: the words of a tag are read on it (at HIGHLIGHT_ALPHA, and deeper where tags overlap). */
  fill: string;
  /** Underlines and swatch borders: 3:1 against the page, the panels and the tag's own highlight. */
  line: string;
}

/**
 * The shades a category colour is drawn in. A light colour keeps its fill and gets a darker line
 * of the same hue; a dark one keeps its line and gets a lighter fill, so that ink stays readable
 * even where several highlights overlap (ink on the fill itself reaches 5:1, a margin over 4.5:1
 * for layers of different colours mixed).
 */
export function categoryShades(colour: string): CategoryShades {
  const base = parseHex(colour);
  const ink = parseHex(PAGE.ink);
  const fill = shift(base, WHITE, (tint) => contrast(ink, tint) >= 5);
  const backgrounds = PAGE.backgrounds.map(parseHex);
  const under = [...backgrounds, mix(fill, HIGHLIGHT_ALPHA, WHITE)];
  const line = shift(base, BLACK, (shade) => under.every((bg) => contrast(shade, bg) >= GRAPHIC_CONTRAST));
  return { colour: toHex(base), fill: toHex(fill), line: toHex(line) };
}
