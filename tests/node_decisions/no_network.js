// `node -r` preload for generate_tables.js: the official Node SDK must never reach the network.
//
// https.request / https.get are replaced by an in-process stub: no socket is opened, the request body
// is discarded, and the callback gets a 200 response with body "{}" on the next turn of the event
// loop (what the SDK's impression code expects from a successful track-user call). The stub counts
// the requests, so the generator can report how many impressions Node would have sent.
// Plain http, net/tls connections and fetch throw or reject: nothing may leave the process.
'use strict';

const EventEmitter = require('events');
const http = require('http');
const https = require('https');
const net = require('net');
const tls = require('tls');
const { Readable } = require('stream');

const state = { requests: [] };

class StubRequest extends EventEmitter {
  constructor(options, callback) {
    super();
    this.options = options;
    this.callback = callback;
    this.ended = false;
  }
  write() {
    return true;
  }
  end() {
    if (this.ended) return this;
    this.ended = true;
    setImmediate(() => {
      const res = new Readable({ read() {} });
      res.statusCode = 200;
      res.headers = { 'content-type': 'application/json' };
      if (this.callback) this.callback(res);
      res.push('{}');
      res.push(null);
    });
    return this;
  }
  setTimeout() {
    return this;
  }
  setHeader() {}
  abort() {}
  destroy() {}
}

function describe(args) {
  const first = args[0];
  if (typeof first === 'string' || first instanceof URL) return String(first);
  const o = first || {};
  return `${o.method || 'GET'} ${o.hostname || o.host || ''}${o.path || ''}`;
}

function stubRequest(...args) {
  const callback = args.find(a => typeof a === 'function');
  state.requests.push(describe(args));
  return new StubRequest(args[0], callback);
}

https.request = stubRequest;
https.get = (...args) => stubRequest(...args).end();

const refuse = name => () => {
  throw new Error(`no_network.js: ${name} is disabled while generating decision tables`);
};
http.request = refuse('http.request');
http.get = refuse('http.get');
net.connect = refuse('net.connect');
net.createConnection = refuse('net.createConnection');
tls.connect = refuse('tls.connect');
if (typeof globalThis.fetch === 'function') {
  globalThis.fetch = () => Promise.reject(new Error('no_network.js: fetch is disabled'));
}

module.exports = {
  requestCount() {
    return state.requests.length;
  },
  requests() {
    return state.requests.slice();
  }
};
