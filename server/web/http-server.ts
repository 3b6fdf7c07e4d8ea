// The HTTP server the app listens on.
import http from 'node:http';
import type { Express } from 'express';

/**
 * Express gives each request its own methods by changing the prototype of Node's request and
 * response objects (`Object.setPrototypeOf` in `app.handle`). Changing the prototype of a stream
 * after it is built costs far more than the call: V8's young-generation collections then keep
 * most of what every request allocated alive and move it to the old generation. On these
 * machines a bare Express POST route promoted ~3 MB per scavenge (scavenges of 8–15 ms) and a
 * raw Node server nothing; with the prototypes set when the objects are made, Express's call
 * finds them in place and changes nothing, and the same route promoted nothing (0.2 ms).
 * Node builds requests and responses with the constructors given here: the object is created
 * with the app's prototype first and then initialised by Node's own constructor.
 */
export function builtWith<T extends Function>(base: T, prototype: object): T {
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
export function createServer(app: Express): http.Server {
  return http.createServer(
    {
      IncomingMessage: builtWith(http.IncomingMessage, app.request),
      ServerResponse: builtWith(http.ServerResponse, app.response),
    },
    app,
  );
}
