// `framelens serve` with DATABASE_URL set: until the routes are on PostgreSQL it refuses to start,
// saying why, rather than serving the data folder while the operator thinks it serves the database.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveCommand } from '../../server/commands/serve.js';

describe('framelens serve with DATABASE_URL', () => {
  const saved = process.env.DATABASE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    vi.restoreAllMocks();
  });

  it('refuses to start, and says what to do', async () => {
    process.env.DATABASE_URL = 'postgres://framelens@127.0.0.1:1/none';
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      errors.push(String(line));
    });
    expect(await serveCommand([])).toBe(1);
    expect(errors.join('\n')).toMatch(/DATABASE_URL is set, but this version serves from the data folder only.*Unset DATABASE_URL to serve DATA_DIR/);
  });
});
