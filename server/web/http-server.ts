// The HTTP server the app listens on.
import http from 'node:http';
import type { Express } from 'express';

type NodeConstructor = typeof http.IncomingMessage | typeof http.ServerResponse;

/**
 * Express gives each request its own methods by changing the prototype of Node's request and
 * response objects (`Object.setPrototypeOf` in `app.handle`). Changing the prototype of a stream
 * after it is built costs far more than the call: V8's young-generation collections then keep
 * much of what every request allocated alive and move it to the old generation. Measured on these
 * machines with a bare Express POST route, a fifth of everything allocated was promoted (~3 MB per
 * scavenge, scavenges of 8–15 ms); a raw Node server promoted nothing. Here Node builds requests
 * and responses with the app's prototypes from the start, so Express's call finds them in place
 * and changes nothing: the same route promotes under 1 % (scavenges under 1 ms).
 *
 * The object is made with `Object.create` and then initialised by Node's own constructor.
 * `Reflect.construct` with a new target of that prototype looks equivalent but was measured to
 * keep about a third of the promotion.
 */
export function builtWith<T extends NodeConstructor>(base: T, prototype: object): T {
  return builtFrom(base, () => prototype);
}

/** builtWith, with the prototype looked up for each object (it changes once the app is ready). */
function builtFrom<T extends NodeConstructor>(base: T, prototype: () => object): T {
  // Node's IncomingMessage and ServerResponse are plain constructor functions, which can
  // initialise an object made beforehand. Should a Node release make them classes, the server
  // keeps Node's own (and Express changes the prototypes as before) rather than fail.
  if (Function.prototype.toString.call(base).startsWith('class')) return base;
  return new Proxy(base, {
    construct(target, args) {
      const self: object = Object.create(prototype());
      Reflect.apply(target, self, args);
      return self;
    },
  });
}

/** A server for `app` whose requests and responses are made with the app's prototypes. */
export function serverFor(app: Express): http.Server {
  return http.createServer(
    {
      IncomingMessage: builtWith(http.IncomingMessage, app.request),
      ServerResponse: builtWith(http.ServerResponse, app.response),
    },
    app,
  );
}

/** The server `framelens serve` runs: it listens before the app is ready, and stops gracefully. */
export interface AppServer {
  readonly server: http.Server;
  /** From now on requests go to `app` (until then, to the `starting` listener). */
  serve(app: Express): void;
  /**
   * Stops taking requests at once: the listener and idle keep-alive connections close, responses
   * still to come say "Connection: close", and a request arriving meanwhile gets 503. Resolves when
   * the last request in flight is answered, or after `graceMs`, when the connections left are cut.
   */
  stop(graceMs: number): Promise<void>;
}

/** An AppServer answering with `starting` until serve(app) is called. */
export function appServer(starting: http.RequestListener): AppServer {
  let listener: http.RequestListener = starting;
  let prototypes: { request: object; response: object } = {
    request: http.IncomingMessage.prototype,
    response: http.ServerResponse.prototype,
  };
  let stopping = false;
  const inFlight = new Set<http.ServerResponse>();
  let drained = () => {};
  const server = http.createServer(
    {
      IncomingMessage: builtFrom(http.IncomingMessage, () => prototypes.request),
      ServerResponse: builtFrom(http.ServerResponse, () => prototypes.response),
    },
    (req, res) => {
      if (stopping) {
        res.shouldKeepAlive = false;
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
        res.end('Framelens is stopping. Try again in a moment.\n');
        return;
      }
      inFlight.add(res);
      res.once('close', () => {
        inFlight.delete(res);
        if (!stopping) return;
        // A connection whose response just ended may now be idle.
        server.closeIdleConnections();
        if (inFlight.size === 0) drained();
      });
      listener(req, res);
    },
  );
  return {
    server,
    serve(app) {
      prototypes = { request: app.request, response: app.response };
      listener = app;
    },
    stop(graceMs) {
      stopping = true;
      server.close();
      server.closeIdleConnections();
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, graceMs);
        timer.unref();
        drained = () => {
          clearTimeout(timer);
          resolve();
        };
        if (inFlight.size === 0) drained();
      });
    },
  };
}
