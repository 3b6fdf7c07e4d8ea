// Settings read once from the environment; everything else receives a Config.
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  production: boolean;
  /** Cookies get the Secure flag; set when served over HTTPS (behind a proxy). */
  secureCookies: boolean;
  /** Number of proxy hops to trust for the client address (rate limits key on it). */
  trustProxy: number;
  /** Log server errors (off under tests). */
  log: boolean;
  /** The address people use to reach Framelens, for links shown to be copied (join links, QR codes). */
  publicUrl: string | null;
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  return {
    port: integer(env.PORT, 3000, 'PORT'),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(cwd, env.DATA_DIR || 'annotations'),
    production: env.NODE_ENV === 'production',
    secureCookies: env.SECURE_COOKIES === '1',
    trustProxy: integer(env.TRUST_PROXY, 0, 'TRUST_PROXY'),
    log: env.NODE_ENV !== 'test',
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : null,
  };
}
