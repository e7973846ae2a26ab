// Drives the official VWO Node SDK (vwo-node-sdk 1.73.0) through the scenarios of node_compat_test.cpp
// (pushes, and the two settings requests: polling and getAndUpdateSettingsFile), against a local collector.
//
//   node -r <dir>/redirect_https.js <dir>/run_node_sdk.js --port <collector port> --out <result.json>
//        --sdk-prefix <npm --prefix dir holding node_modules/vwo-node-sdk> --settings-dir <dir>
//        [--scenario <name>]   (default: all, in the order below)
//
// The preload sends every https request to http://127.0.0.1:<port>. Scenarios run one after another;
// each waits (with a deadline) until its requests were answered, then a short quiet period, so every
// request the collector records can be attributed to one scenario by order. The result file lists, per
// scenario, the calls with Node's return values and the requests the preload redirected; for the polling
// scenario also the intervals Node registered and when its first poll went out after launch().
// Exit status: 0 all scenarios produced their expected requests, 3 otherwise, 2 usage/setup error.
'use strict';

const fs = require('fs');
const path = require('path');
const compat = require('./redirect_https.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const outFile = arg('out');
const sdkPrefix = arg('sdk-prefix');
const settingsDir = arg('settings-dir', path.join(__dirname, 'settings'));
const only = arg('scenario', 'all');
if (!outFile || !sdkPrefix) {
  process.stderr.write('usage: node -r redirect_https.js run_node_sdk.js --port P --out F --sdk-prefix D\n');
  process.exit(2);
}

const sdkDir = path.join(sdkPrefix, 'node_modules', 'vwo-node-sdk');
const vwoSdk = require(sdkDir);
const sdkVersion = require(path.join(sdkDir, 'package.json')).version;

const ACCOUNT_ID = 123456;
const SDK_KEY = 'abcdef0123456789abcdef0123456789';
const REQUEST_DEADLINE_MS = 15000; // per scenario: all expected requests answered
const PROMISE_DEADLINE_MS = 5000; // an SDK promise that has not settled by then is reported as pending
const QUIET_MS = 300; // after the expected requests: catch unexpected extra ones

// Node logs go to stderr only at ERROR level, through a custom logger (usage stats: cl=1, ll=4).
const logging = {
  level: vwoSdk.LogLevelEnum.ERROR,
  logger: {
    log(level, message) {
      if (level >= vwoSdk.LogLevelEnum.ERROR) process.stderr.write(`[node-sdk] ${message}\n`);
    }
  }
};
// launch() reports every option it used with console.info; keep stdout clean.
console.info = () => {};
console.log = () => {};
console.warn = (...a) => process.stderr.write(`[node-sdk warn] ${a.join(' ')}\n`);

function readSettings(name) {
  const settings = JSON.parse(fs.readFileSync(path.join(settingsDir, name), 'utf8'));
  if (settings.accountId !== ACCOUNT_ID || settings.sdkKey !== SDK_KEY) {
    throw new Error(`${name}: unexpected accountId/sdkKey`);
  }
  return settings;
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

// Settles with {settled, value}; never waits longer than `ms`.
function withDeadline(valueOrPromise, ms) {
  if (!valueOrPromise || typeof valueOrPromise.then !== 'function') {
    return Promise.resolve({ settled: true, value: valueOrPromise });
  }
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve({ settled: false }), ms);
    valueOrPromise.then(
      value => {
        clearTimeout(timer);
        resolve({ settled: true, value });
      },
      err => {
        clearTimeout(timer);
        resolve({ settled: true, value: `rejected: ${err}` });
      }
    );
  });
}

// Node's polling is a setInterval that is never cleared, not even by opt-out, so the process would never
// end by itself and a second tick could fall into the next scenario. launch() therefore runs under a
// setInterval that records each interval Node registers and clears it after its first tick. The tick's
// callback (Node's own, untouched) makes the request that is compared.
function launchStoppingIntervalsAfterFirstTick(config) {
  const original = global.setInterval;
  const intervals = [];
  global.setInterval = (callback, ms, ...args) => {
    intervals.push(ms);
    const handle = original(() => {
      clearInterval(handle);
      callback(...args);
    }, ms);
    return handle;
  };
  try {
    return { vwo: vwoSdk.launch(config), intervals };
  } finally {
    global.setInterval = original;
  }
}

// Each scenario: the settings file, launch options, and steps. A step is one SDK call and the number
// of requests it is expected to cause.
const scenarios = [
  {
    name: 'legacy_single',
    settings: 'legacy.json',
    promise: true,
    steps: [{ call: "push('browser','chrome','user-1')", run: vwo => vwo.push('browser', 'chrome', 'user-1'), requests: 1 }]
  },
  {
    name: 'legacy_special_characters',
    settings: 'legacy.json',
    promise: true,
    steps: [
      {
        call: "push('a b&c=d','x/y \"z\" ü+%','user 1')",
        run: vwo => vwo.push('a b&c=d', 'x/y "z" ü+%', 'user 1'),
        requests: 1
      }
    ]
  },
  {
    name: 'legacy_map3',
    settings: 'legacy.json',
    promise: true,
    steps: [
      {
        call: "push({browser:'chrome',price:'20',plan:'gold'},'user-1')",
        run: vwo => vwo.push({ browser: 'chrome', price: '20', plan: 'gold' }, 'user-1'),
        requests: 1
      }
    ]
  },
  {
    name: 'event_arch_single',
    settings: 'event_arch.json',
    promise: true,
    steps: [{ call: "push('browser','chrome','user-1')", run: vwo => vwo.push('browser', 'chrome', 'user-1'), requests: 1 }]
  },
  {
    name: 'event_arch_map2',
    settings: 'event_arch.json',
    promise: true,
    steps: [
      {
        call: "push({browser:'chrome',price:'20'},'user-1')",
        run: vwo => vwo.push({ browser: 'chrome', price: '20' }, 'user-1'),
        requests: 1
      }
    ]
  },
  {
    // Node's push promise never settles in batch mode: wait on the requests instead.
    name: 'batch_events',
    settings: 'legacy.json',
    promise: false,
    batchEvents: { eventsPerRequest: 3, requestTimeInterval: 600 },
    steps: [
      {
        call: "push({browser:'chrome',price:'20',plan:'gold'},'user-1')",
        run: vwo => vwo.push({ browser: 'chrome', price: '20', plan: 'gold' }, 'user-1'),
        requests: 1
      },
      { call: 'flushEvents()', run: vwo => vwo.flushEvents(), requests: 0 }
    ]
  },
  {
    // launch({settingsFile, sdkKey, pollingInterval: 1000}): the first tick, one interval after launch,
    // fetches GET /server-side/settings. Nothing to call; the step waits for that request.
    name: 'poll',
    settings: 'legacy.json',
    sdkKey: SDK_KEY,
    pollingInterval: 1000,
    steps: [{ call: 'first poll (pollingInterval 1000)', run: () => undefined, requests: 1 }]
  },
  {
    // getAndUpdateSettingsFile() with no arguments: account and key come from the settings file. Its
    // promise settles with the settings served (and never when the fetch fails).
    name: 'pull',
    settings: 'legacy.json',
    steps: [{ call: 'getAndUpdateSettingsFile()', run: vwo => vwo.getAndUpdateSettingsFile(), requests: 1 }]
  },
  {
    // Last on purpose: Node keeps collectionPrefix in a process-wide singleton (UrlService), so it would
    // leak into every client launched after this one (only pull_collection_prefix follows, and Node builds
    // settings URLs without that singleton).
    name: 'collection_prefix',
    settings: 'collection_prefix.json',
    promise: true,
    steps: [{ call: "push('browser','chrome','user-1')", run: vwo => vwo.push('browser', 'chrome', 'user-1'), requests: 1 }]
  },
  {
    // A pull by a client whose settings carry a collectionPrefix: the prefix is for event data, and the
    // settings URL goes without it.
    name: 'pull_collection_prefix',
    settings: 'collection_prefix.json',
    steps: [{ call: 'getAndUpdateSettingsFile()', run: vwo => vwo.getAndUpdateSettingsFile(), requests: 1 }]
  }
];

async function runScenario(s) {
  compat.setScenario(s.name);
  const config = { settingsFile: readSettings(s.settings), logging };
  if (s.promise) config.returnPromiseFor = { push: true };
  if (s.batchEvents) config.batchEvents = Object.assign({ flushCallback: () => {} }, s.batchEvents);
  if (s.sdkKey) config.sdkKey = s.sdkKey;
  if (s.pollingInterval) config.pollingInterval = s.pollingInterval;
  const launchedAt = compat.now();
  const { vwo, intervals } = s.pollingInterval
    ? launchStoppingIntervalsAfterFirstTick(config)
    : { vwo: vwoSdk.launch(config), intervals: null };

  const out = { name: s.name, settings: s.settings, calls: [], ok: true };
  if (intervals) out.intervals = intervals;
  for (const step of s.steps) {
    const expectedFinished = compat.finished() + step.requests;
    const returned = step.run(vwo);
    const delivered = await compat.waitForFinished(expectedFinished, REQUEST_DEADLINE_MS);
    const settled = await withDeadline(returned, PROMISE_DEADLINE_MS);
    out.calls.push({
      call: step.call,
      expected_requests: step.requests,
      delivered,
      promise: returned && typeof returned.then === 'function',
      settled: settled.settled,
      value: settled.settled ? settled.value : null
    });
    if (!delivered) out.ok = false;
  }
  await sleep(QUIET_MS);
  out.requests = compat.requests().filter(r => r.scenario === s.name);
  if (s.pollingInterval && out.requests.length > 0) {
    out.first_request_after_ms = Math.round(out.requests[0].at_ms - launchedAt);
  }
  const expectedTotal = s.steps.reduce((n, st) => n + st.requests, 0);
  if (out.requests.length !== expectedTotal) out.ok = false;
  return out;
}

async function main() {
  const selected = only === 'all' ? scenarios : scenarios.filter(s => s.name === only);
  if (selected.length === 0) {
    process.stderr.write(`unknown scenario ${only}\n`);
    process.exit(2);
  }
  const result = {
    node_version: process.version,
    sdk_version: sdkVersion,
    port: compat.port,
    scenarios: []
  };
  for (const s of selected) result.scenarios.push(await runScenario(s));
  result.ok = result.scenarios.every(s => s.ok);
  fs.writeFileSync(outFile, JSON.stringify(result, null, 2));
  // Batch mode keeps a 600 s timer alive, and Node never flushes at exit: leave explicitly.
  process.exit(result.ok ? 0 : 3);
}

main().catch(err => {
  process.stderr.write(`run_node_sdk: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});
