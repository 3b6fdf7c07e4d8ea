import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { agreementCommand } from '../../../server/commands/agreement.js';
import { capturedIo } from '../../helpers/io.js';
import { K2011_CSV } from './fixtures.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], stdin = ''): Promise<Run> {
  const io = capturedIo(stdin);
  const code = await agreementCommand(args, io);
  await new Promise((r) => setImmediate(r));
  return { code, stdout: io.out(), stderr: io.err() };
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-agreement-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", 4 observers × 12 units:
// nominal α .743, ordinal .815, interval .849, ratio .797.
describe('framelens agreement', () => {
  it('--json prints one object of the documented shape (K2011 4×12, stdin)', async () => {
    const r = await run(['-', '--json'], K2011_CSV);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(r.stdout) as {
      units: number;
      coders: number;
      pairable_values: number;
      level: string;
      statistics: Record<string, { value: number | null; reason?: string; dropped_units?: number } & Record<string, unknown>>;
    };
    expect(Object.keys(json)).toEqual(['units', 'coders', 'pairable_values', 'level', 'statistics']);
    expect(json.units).toBe(12);
    expect(json.coders).toBe(4);
    expect(json.pairable_values).toBe(40);
    expect(json.level).toBe('nominal');
    const s = json.statistics;
    expect(s.krippendorff_alpha!.value).toBeCloseTo(0.743, 3);
    // Full precision, rounding is presentation.
    expect(s.krippendorff_alpha!.value).toBe(0.743421052631579);
    expect(s.cohen_kappa).toEqual({ value: null, reason: 'needs exactly two coders' });
    expect(s.scott_pi).toEqual({ value: null, reason: 'needs exactly two coders' });
    expect(s.fleiss_kappa!.value).toEqual(expect.any(Number));
    expect(s.fleiss_kappa!.dropped_units).toBe(4);
    expect(s.gwet_ac1!.value).toEqual(expect.any(Number));
    expect(s.observed_agreement!.value).toBeCloseTo(0.8, 3);
    expect(s.krippendorff_alpha_ci95).toMatchObject({ resamples: 1000, seed: 1 });
    expect(s.krippendorff_alpha_ci95!.low).toEqual(expect.any(Number));
    expect(s.krippendorff_alpha_ci95!.high).toEqual(expect.any(Number));
    expect(Object.keys(s).sort()).toEqual(
      ['cohen_kappa', 'fleiss_kappa', 'gwet_ac1', 'krippendorff_alpha', 'krippendorff_alpha_ci95', 'observed_agreement', 'scott_pi'].sort(),
    );
  });

  it('reads a file and honours --level (ordinal .815, interval .849, ratio .797)', async () => {
    const file = join(dir, 'k2011.csv');
    await writeFile(file, K2011_CSV);
    for (const [level, alpha] of [['ordinal', 0.815], ['interval', 0.849], ['ratio', 0.797]] as const) {
      const r = await run([file, '--level', level, '--json']);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as { level: string; statistics: { krippendorff_alpha: { value: number } } };
      expect(json.level).toBe(level);
      expect(json.statistics.krippendorff_alpha.value).toBeCloseTo(alpha, 3);
    }
    const eq = await run([`--level=interval`, file, '--json']);
    expect(eq.code).toBe(0);
  });

  it('includes weighted kappa for two coders at numeric levels', async () => {
    // R irr anxiety, raters 2 and 3: kappa2 "equal" 0.1459075, "squared" 0.2520325.
    const r2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4];
    const r3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2];
    const csv = 'rater2,rater3\n' + r2.map((v, i) => `${v},${r3[i]}`).join('\n') + '\n';
    const r = await run(['-', '--level', 'ordinal', '--json'], csv);
    expect(r.code).toBe(0);
    const s = (JSON.parse(r.stdout) as { statistics: Record<string, { value: number }> }).statistics;
    expect(s.weighted_kappa_linear!.value).toBeCloseTo(0.1459075, 6);
    expect(s.weighted_kappa_quadratic!.value).toBeCloseTo(0.2520325, 6);
    expect(s.cohen_kappa!.value).toBeCloseTo(-0.006289308, 6);
  });

  it('prints a readable table by default', async () => {
    const r = await run(['-'], K2011_CSV);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('12 units, 4 coders, 11 pairable units, 40 pairable values, level nominal');
    expect(r.stdout).toMatch(/Krippendorff's alpha\s+0\.743\s+95% CI/);
    expect(r.stdout).toMatch(/Cohen's kappa\s+—\s+undefined: needs exactly two coders/);
    expect(r.stdout).toMatch(/Fleiss' kappa\s+\S+\s+4 incomplete units dropped/);
    expect(r.stdout).toMatch(/Observed agreement\s+0\.800/);
  });

  it('--seed and --resamples make the interval reproducible', async () => {
    const a = await run(['-', '--json', '--seed', '7', '--resamples', '200'], K2011_CSV);
    const b = await run(['-', '--json', '--seed', '7', '--resamples', '200'], K2011_CSV);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).statistics.krippendorff_alpha_ci95).toMatchObject({ seed: 7, resamples: 200 });
  });

  it('bad usage exits 2 with a message on stderr', async () => {
    for (const args of [[], ['a.csv', 'b.csv'], ['-', '--level', 'fuzzy'], ['-', '--level'], ['-', '--bogus'], ['-', '--resamples', '0']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/framelens agreement: /);
      expect(r.stdout).toBe('');
    }
  });

  it('bad CSV exits 1 with a message', async () => {
    const ragged = await run(['-'], 'a,b\n1,2\n3\n');
    expect(ragged.code).toBe(1);
    expect(ragged.stderr).toMatch(/line 3/);
    expect((await run(['-'], '')).code).toBe(1);
    expect((await run(['-'], 'a,b\n')).code).toBe(1);
    const notNumber = await run(['-', '--level', 'interval'], 'a,b\nlow,high\n');
    expect(notNumber.code).toBe(1);
    expect(notNumber.stderr).toMatch(/not a number/);
    const negative = await run(['-', '--level', 'ratio'], 'a,b\n-1,2\n3,4\n');
    expect(negative.code).toBe(1);
    const missing = await run([join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read/);
  });

  it('undefined statistics are reported with reasons, never NaN', async () => {
    const r = await run(['-', '--json'], 'a,b\nx,x\nx,x\n');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('NaN');
    const s = JSON.parse(r.stdout).statistics;
    expect(s.krippendorff_alpha.value).toBeNull();
    expect(s.krippendorff_alpha.reason).toMatch(/no variation/);
    expect(s.cohen_kappa.value).toBeNull();
    expect(s.krippendorff_alpha_ci95).toMatchObject({ low: null, high: null });
  });

  it('--help prints usage and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: framelens agreement FILE/);
  });
});
