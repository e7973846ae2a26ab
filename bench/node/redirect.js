// `node -r` preload for the side-by-side benchmark (bench/node/node_bench.js):
//
//   VWO_BENCH_PORT=<port> [VWO_BENCH_TLS=1 VWO_BENCH_CA=<ca.pem>] node -r bench/node/redirect.js ...
//
// Replaces https.request / https.get so that every request the official VWO Node SDK makes goes to
// 127.0.0.1:<VWO_BENCH_PORT> instead of the real collector:
//   - VWO_BENCH_TLS unset/0: plain HTTP (the original http.request);
//   - VWO_BENCH_TLS=1: HTTPS (the ORIGINAL https.request), trusting only the PEM file VWO_BENCH_CA,
//     SNI 'localhost'; the default identity check (tls.checkServerIdentity) must pass for 'localhost'
//     or for '127.0.0.1', so a certificate for either works.
// Method, path, headers and body stay as the SDK produced them. A Host header naming the host the SDK
// addressed is added (Node would have sent exactly that one), so the bytes on the wire match.
//
// Agent / keep-alive: the SDK's own choice is kept untouched. vwo-node-sdk 1.73.0 passes `agent: false`
// on every request (lib/utils/HttpHandlerUtil.js, sendGetCall and sendPostCall: "agent: false // Create
// a new agent just for this one request"). Node then builds a throw-away Agent without keep-alive for
// that request, sends `Connection: close`, and the socket is closed after the response: ONE NEW TCP
// CONNECTION (and, over HTTPS, one full TLS handshake, no session resumption) PER REQUEST. The
// `connections` counter below confirms it (connections == requests).
//
// TLS context (VWO_BENCH_TLS_CONTEXT; what each request's tls.connect gets):
//   system       nothing extra: exactly the SDK's production path. tls.connect then builds a fresh
//                SecureContext per request (an SSL_CTX_new, ~0.3 ms of CPU with Node 20 / OpenSSL 3)
//                on Node's shared root store. Needs the node process started with
//                NODE_EXTRA_CA_CERTS=<VWO_BENCH_CA> (read once at process start-up, so it cannot be
//                set from here) -- the recommended way to run the HTTPS benchmark.
//   shared       one SecureContext built from VWO_BENCH_CA at start, handed to every request: saves
//                the per-request SSL_CTX_new production pays (a lower bound for Node's cost).
//   per-request  `ca: <PEM>` on every request: a new SecureContext plus a PEM parse and a private copy
//                of the root store per request (an upper bound).
//   auto         (default) system if NODE_EXTRA_CA_CERTS names a file holding VWO_BENCH_CA, else shared.
// Every mode keeps one socket and one full handshake (no session resumption) per request.
//
// Counters: requests started, exchanges finished (response fully read, or error), responses by status
// class, errors, distinct sockets, TCP connects and TLS handshakes. Nothing but 127.0.0.1 is ever
// contacted: plain http.request/get to other hosts throws, fetch is disabled.
//
// API (require this file again from the driver; the preload and require share one module instance):
//   finished()                -> exchanges finished so far
//   started()                 -> requests started so far
//   waitFor(n, deadlineMs)    -> Promise<boolean>: true once finished() >= n, false at the deadline
//                                (never rejects, never outlives the deadline)
//   counters()                -> snapshot object of all counters and timestamps
//   trackOutcomes(on)         -> when on, outcomes()[id] is true/false per request id (start order)
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const tls = require('tls');
const { URL } = require('url');

const originalHttpRequest = http.request;
const originalHttpGet = http.get;
const originalHttpsRequest = https.request;

function fail(message) {
  process.stderr.write(`bench/node/redirect.js: ${message}\n`);
  process.exit(2);
}

const rawPort = process.env.VWO_BENCH_PORT;
const port = Number(rawPort);
if (!rawPort || !/^[0-9]+$/.test(rawPort) || !Number.isInteger(port) || port <= 0 || port > 65535) {
  // Refuse to run rather than let the SDK reach the internet.
  fail(`VWO_BENCH_PORT must be a TCP port 1..65535 (got ${JSON.stringify(rawPort)})`);
}

const useTls = process.env.VWO_BENCH_TLS === '1';
let tlsContextMode = process.env.VWO_BENCH_TLS_CONTEXT || 'auto';
let caPem = null;
let sharedSecureContext = null;
if (useTls) {
  const caFile = process.env.VWO_BENCH_CA;
  if (!caFile) fail('VWO_BENCH_TLS=1 needs VWO_BENCH_CA=<PEM file of the CA / self-signed certificate>');
  try {
    caPem = fs.readFileSync(caFile);
  } catch (err) {
    fail(`cannot read VWO_BENCH_CA ${caFile}: ${err.message}`);
  }
  // system needs the CA among Node's roots: NODE_EXTRA_CA_CERTS must name a file holding it.
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let caInRoots = false;
  try {
    caInRoots = !!extra && fs.readFileSync(extra, 'utf8').includes(caPem.toString('utf8').trim());
  } catch (err) {
    caInRoots = false;
  }
  if (tlsContextMode === 'auto') tlsContextMode = caInRoots ? 'system' : 'shared';
  if (tlsContextMode === 'system') {
    if (!caInRoots) {
      fail(
        `VWO_BENCH_TLS_CONTEXT=system needs node started with NODE_EXTRA_CA_CERTS=${caFile} ` +
          `(got ${JSON.stringify(extra || '')})`
      );
    }
  } else if (tlsContextMode === 'shared') {
    try {
      sharedSecureContext = tls.createSecureContext({ ca: caPem });
    } catch (err) {
      fail(`VWO_BENCH_CA ${caFile} is not a usable PEM certificate: ${err.message}`);
    }
  } else if (tlsContextMode !== 'per-request') {
    fail(`VWO_BENCH_TLS_CONTEXT must be auto, system, shared or per-request (got ${tlsContextMode})`);
  }
}

// The default identity check, accepting a certificate issued for either 'localhost' or '127.0.0.1'.
function checkLoopbackIdentity(host, cert) {
  const err = tls.checkServerIdentity('localhost', cert);
  if (!err) return undefined;
  return tls.checkServerIdentity('127.0.0.1', cert) ? err : undefined;
}

const state = {
  started: 0,
  finished: 0,
  ok: 0, // 2xx responses fully read
  status: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 },
  errors: 0, // exchanges ended by an error (no complete response)
  sockets: 0, // distinct sockets handed to requests
  connects: 0, // TCP connections established
  handshakes: 0, // TLS handshakes completed
  firstStartNs: 0n,
  lastFinishNs: 0n,
  waiters: [], // {n, resolve}, sorted by nothing: few at a time
  outcomes: null // array of booleans by request id, when tracked
};
const seenSockets = new WeakSet();

function notifyWaiters() {
  if (state.waiters.length === 0) return;
  const still = [];
  for (const w of state.waiters) {
    if (state.finished >= w.n) w.resolve(true);
    else still.push(w);
  }
  state.waiters = still;
}

function statusClass(code) {
  if (code >= 100 && code < 600) return `${Math.floor(code / 100)}xx`;
  return 'other';
}

// Normalises the (url?, options?, callback?) overloads of https.request into (options, callback).
function normalise(args) {
  let options = {};
  let callback;
  let i = 0;
  if (typeof args[i] === 'string' || args[i] instanceof URL) {
    const u = typeof args[i] === 'string' ? new URL(args[i]) : args[i];
    options = { hostname: u.hostname, port: u.port || undefined, path: u.pathname + u.search, method: 'GET' };
    i += 1;
  }
  if (args[i] && typeof args[i] === 'object') {
    options = Object.assign({}, options, args[i]);
    i += 1;
  }
  if (typeof args[i] === 'function') callback = args[i];
  return { options, callback };
}

function onSocket(socket) {
  if (seenSockets.has(socket)) return; // reused (keep-alive) socket
  seenSockets.add(socket);
  state.sockets += 1;
  if (socket.connecting) socket.once('connect', () => (state.connects += 1));
  if (socket.encrypted) {
    socket.once('secureConnect', () => (state.handshakes += 1));
  }
}

function redirectedRequest(...args) {
  const { options, callback } = normalise(args);
  const originalHost = String(options.hostname || options.host || 'localhost').replace(/:\d+$/, '');
  const originalPort = options.port && Number(options.port) !== 443 ? `:${options.port}` : '';
  const headers = Object.assign({}, options.headers || {});
  if (!Object.keys(headers).some(h => h.toLowerCase() === 'host')) headers.Host = `${originalHost}${originalPort}`;

  // Everything the SDK set (method, path, agent, timeouts, ...) is kept; only the destination changes.
  const local = Object.assign({}, options, { hostname: '127.0.0.1', host: '127.0.0.1', port, headers });
  delete local.cert;
  delete local.key;
  delete local.pfx;
  let issue;
  if (useTls) {
    local.protocol = 'https:';
    local.servername = 'localhost';
    local.checkServerIdentity = checkLoopbackIdentity;
    if (tlsContextMode === 'shared') {
      local.secureContext = sharedSecureContext;
      delete local.ca;
    } else if (tlsContextMode === 'per-request') {
      local.ca = caPem;
    } else {
      delete local.ca; // system: Node's root store (with NODE_EXTRA_CA_CERTS), as in production
    }
    issue = originalHttpsRequest;
  } else {
    local.protocol = 'http:';
    delete local.servername;
    delete local.ca;
    issue = originalHttpRequest;
  }

  const id = state.started;
  state.started += 1;
  if (state.firstStartNs === 0n) state.firstStartNs = process.hrtime.bigint();

  let done = false;
  const finish = ok => {
    if (done) return;
    done = true;
    state.finished += 1;
    if (ok) state.ok += 1;
    if (state.outcomes) state.outcomes[id] = ok;
    state.lastFinishNs = process.hrtime.bigint();
    notifyWaiters();
  };

  let req;
  try {
    req = issue(local, res => {
      state.status[statusClass(res.statusCode)] += 1;
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      res.once('end', () => finish(ok));
      res.once('error', () => {
        if (!done) state.errors += 1;
        finish(false);
      });
      res.once('close', () => {
        if (!done && !res.complete) state.errors += 1;
        finish(ok && res.complete);
      });
      if (callback) callback(res);
      else res.resume();
    });
  } catch (err) {
    state.errors += 1;
    finish(false);
    throw err;
  }
  req.on('socket', onSocket);
  req.once('error', () => {
    if (!done) state.errors += 1;
    finish(false);
  });
  return req;
}

function redirectedGet(...args) {
  const req = redirectedRequest(...args);
  req.end();
  return req;
}

https.request = redirectedRequest;
https.get = redirectedGet;

// Belt and braces: plain http may reach 127.0.0.1 only, fetch not at all.
function loopbackOnly(original) {
  return function(...args) {
    const { options } = normalise(args);
    const host = String(options.hostname || options.host || 'localhost').replace(/:\d+$/, '');
    if (host !== '127.0.0.1' && host !== 'localhost') {
      throw new Error(`bench/node/redirect.js: refusing plain http request to ${host}`);
    }
    return original.apply(this, args);
  };
}
http.request = loopbackOnly(originalHttpRequest);
http.get = loopbackOnly(originalHttpGet);
if (typeof globalThis.fetch === 'function') {
  globalThis.fetch = () => Promise.reject(new Error('bench/node/redirect.js: fetch is disabled in the benchmark'));
}

module.exports = {
  port,
  tls: useTls,
  tlsContext: useTls ? tlsContextMode : null,
  started() {
    return state.started;
  },
  finished() {
    return state.finished;
  },
  // Resolves true once `n` exchanges finished in total, false after `deadlineMs`. Never rejects.
  waitFor(n, deadlineMs) {
    if (state.finished >= n) return Promise.resolve(true);
    return new Promise(resolve => {
      const w = { n, resolve: null };
      const timer = setTimeout(() => {
        state.waiters = state.waiters.filter(x => x !== w);
        resolve(state.finished >= n);
      }, Math.max(0, Number(deadlineMs) || 0));
      w.resolve = value => {
        clearTimeout(timer);
        resolve(value);
      };
      state.waiters.push(w);
    });
  },
  counters() {
    return {
      started: state.started,
      finished: state.finished,
      ok: state.ok,
      status: Object.assign({}, state.status),
      errors: state.errors,
      sockets: state.sockets,
      connects: state.connects,
      handshakes: state.handshakes,
      firstStartNs: state.firstStartNs,
      lastFinishNs: state.lastFinishNs
    };
  },
  trackOutcomes(on) {
    state.outcomes = on ? state.outcomes || [] : null;
  },
  outcomes() {
    return state.outcomes;
  }
};
