// Baselines for the HTTP benchmarks, in their own process like the real server:
//   GET  /page   renders one EJS template whose output is byte-identical to a real sentence page
//   POST /write  durably rewrites one of the shard-sized files in FILES_DIR, then redirects (303)
// Plain mode is bare Express 5 (view cache on). With --stack the app's own middleware comes first
// (helmet headers, the form body parser, express-session, csrf-sync token and check),
// which separates the cost of that stack from the cost of the app's own code.
// Plain mode listens with Express's own app.listen, as a bare Express app does. With
// --framelens-server it listens with the real server's HTTP server (server/web/http-server.ts),
// which spares every request the collector's work that Express's prototype change causes.
// Usage: node --import tsx bench/bare-server.ts VIEWS_DIR LOCALS_JSON FILES_DIR [--stack] [--framelens-server]
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import express from 'express';
import session from 'express-session';
import { csrf, securityHeaders } from '../server/web/security.js';
import { serverFor } from '../server/web/http-server.js';
import { durableWrite } from './durable.js';

// bench/run.ts starts this with the same garbage-collector flags as the real server
// (server/runtime.ts), so that the comparison measures the app, not the runtime.
const [viewsDir, localsFile, filesDir, ...flags] = process.argv.slice(2);
if (!viewsDir || !localsFile || !filesDir) throw new Error('usage: bare-server.ts VIEWS_DIR LOCALS_JSON FILES_DIR [--stack] [--framelens-server]');
const locals = JSON.parse(readFileSync(localsFile, 'utf8')) as Record<string, unknown>;
const files = readdirSync(filesDir).map((name) => join(filesDir, name, 'shard.json'));
const text = readFileSync(files[0] ?? '', 'utf8');

const app = express();
app.set('views', viewsDir);
app.set('view engine', 'ejs');
app.set('view cache', true);
app.set('x-powered-by', false);
if (flags.includes('--stack')) {
  // The same options as server/app.ts and server/web/session.ts (sessions in memory here).
  app.set('etag', false);
  app.use(securityHeaders({ secureCookies: false }));
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 2000 }));
  app.use(
    session({
      name: 'framelens.sid',
      secret: randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: false, maxAge: 30 * 24 * 60 * 60 * 1000 },
    }),
  );
  app.use((req, res, next) => {
    res.locals.csrfToken = csrf.generateToken(req);
    next();
  });
  app.use(csrf.csrfSynchronisedProtection);
  app.get('/token', (_req, res) => {
    res.send(String(res.locals.csrfToken));
  });
} else {
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 2000 }));
}
app.get('/page', (_req, res) => {
  res.render('page', locals);
});
app.post('/write', async (_req, res) => {
  await durableWrite(files[Math.floor(Math.random() * files.length)] ?? '', text);
  res.redirect(303, '/page');
});
// http.createServer(app) is what app.listen does.
const server = flags.includes('--framelens-server') ? serverFor(app) : http.createServer(app);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`bare express listening on ${typeof address === 'object' && address ? address.port : 0}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
