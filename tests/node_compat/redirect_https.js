// Preload for run_node_sdk.js (`node -r ./redirect_https.js run_node_sdk.js --port <port> ...`).
//
// Replaces https.request / https.get so that every request the official VWO Node SDK makes goes over
// plain HTTP to 127.0.0.1:<port> instead of the real collector. Method, path, headers and body are kept
// exactly as the SDK produced them; the Host header keeps the host the SDK addressed. Nothing is ever
// sent anywhere but 127.0.0.1.
//
// It also keeps a log of the requests it redirected (tagged with the current scenario) and counts the
// exchanges that finished, so the driver can wait for delivery without relying on the SDK's promises.
'use strict';

const http = require('http');
const https = require('https');
const { URL } = require('url');
const { performance } = require('perf_hooks');

const httpRequest = http.request; // the original, used for the redirected requests

function portFromArgs() {
  const i = process.argv.indexOf('--port');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.VWO_COMPAT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    // Refuse to run rather than let the SDK reach the internet.
    process.stderr.write(`redirect_https: no valid --port (got ${raw})\n`);
    process.exit(2);
  }
  return port;
}

const port = portFromArgs();

const state = {
  scenario: '',
  requests: [], // {scenario, method, path, host, headers, at_ms}
  finished: 0, // exchanges that ended (response fully read, or error)
  waiters: []
};

function notify() {
  state.finished += 1;
  const still = [];
  for (const w of state.waiters) {
    if (state.finished >= w.n) w.resolve(true);
    else still.push(w);
  }
  state.waiters = still;
}

// Normalises the (url?, options?, callback?) overloads of https.request into (options, callback).
function normalise(args) {
  let options = {};
  let callback;
  let i = 0;
  if (typeof args[i] === 'string' || args[i] instanceof URL) {
    const u = typeof args[i] === 'string' ? new URL(args[i]) : args[i];
    options = {
      hostname: u.hostname,
      port: u.port || undefined,
      path: u.pathname + u.search,
      method: 'GET'
    };
    i += 1;
  }
  if (args[i] && typeof args[i] === 'object') {
    options = Object.assign({}, options, args[i]);
    i += 1;
  }
  if (typeof args[i] === 'function') callback = args[i];
  return { options, callback };
}

function redirectedRequest(...args) {
  const { options, callback } = normalise(args);
  const originalHost = options.hostname || options.host || 'localhost';
  const originalPort = options.port && Number(options.port) !== 443 ? `:${options.port}` : '';
  const headers = Object.assign({}, options.headers || {});
  if (!Object.keys(headers).some(h => h.toLowerCase() === 'host')) {
    headers.Host = `${String(originalHost).replace(/:\d+$/, '')}${originalPort}`;
  }
  const local = Object.assign({}, options, {
    protocol: 'http:',
    hostname: '127.0.0.1',
    host: '127.0.0.1',
    port,
    agent: false,
    headers
  });
  delete local.servername;
  delete local.ca;
  delete local.cert;
  delete local.key;

  state.requests.push({
    scenario: state.scenario,
    method: (local.method || 'GET').toUpperCase(),
    path: local.path || '/',
    host: headers.Host,
    headers,
    // Monotonic milliseconds since the process started: lets the driver tell when a timer-driven
    // request (polling) went out relative to launch().
    at_ms: performance.now()
  });

  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      notify();
    }
  };
  const req = httpRequest(local, res => {
    res.once('end', finish);
    res.once('error', finish);
    res.once('close', finish);
    if (callback) callback(res);
    else res.resume();
  });
  req.once('error', finish);
  return req;
}

function redirectedGet(...args) {
  const req = redirectedRequest(...args);
  req.end();
  return req;
}

https.request = redirectedRequest;
https.get = redirectedGet;

// Belt and braces: plain http and fetch may reach 127.0.0.1 only.
function loopbackOnly(original) {
  return function(...args) {
    const { options } = normalise(args);
    const host = String(options.hostname || options.host || 'localhost').replace(/:\d+$/, '');
    if (host !== '127.0.0.1' && host !== 'localhost') {
      throw new Error(`redirect_https: refusing plain http request to ${host}`);
    }
    return original.apply(this, args);
  };
}
http.request = loopbackOnly(httpRequest);
http.get = loopbackOnly(http.get);
if (typeof globalThis.fetch === 'function') {
  globalThis.fetch = () => Promise.reject(new Error('redirect_https: fetch is disabled in this test'));
}

module.exports = {
  port,
  setScenario(name) {
    state.scenario = name;
  },
  requests() {
    return state.requests.slice();
  },
  started() {
    return state.requests.length;
  },
  // The same clock as each request's at_ms.
  now() {
    return performance.now();
  },
  finished() {
    return state.finished;
  },
  // Resolves true once `n` exchanges finished in total, false after `ms` milliseconds.
  waitForFinished(n, ms) {
    if (state.finished >= n) return Promise.resolve(true);
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        state.waiters = state.waiters.filter(x => x !== w);
        resolve(state.finished >= n);
      }, ms);
      const w = {
        n,
        resolve: value => {
          clearTimeout(timer);
          resolve(value);
        }
      };
      state.waiters.push(w);
    });
  }
};
