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
  // Node's IncomingMessage and ServerResponse are plain constructor functions, which can
  // initialise an object made beforehand. Should a Node release make them classes, the server
  // keeps Node's own (and Express changes the prototypes as before) rather than fail.
  if (Function.prototype.toString.call(base).startsWith('class')) return base;
  return new Proxy(base, {
    construct(target, args) {
      const self: object = Object.create(prototype);
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
