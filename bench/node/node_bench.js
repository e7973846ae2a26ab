// Node side of the side-by-side benchmark: drives the official VWO Node SDK (vwo-node-sdk 1.73.0)
// through the same workloads as our C++ benchmark, against a loopback collector (nginx answering 200 {}).
//
//   VWO_BENCH_PORT=<port> [VWO_BENCH_TLS=1 VWO_BENCH_CA=<ca.pem>] \
//   node -r bench/node/redirect.js bench/node/node_bench.js --sdk-prefix DIR
//        --scenario caller_cost|throughput|batch_throughput --events N
//        [--settings FILE]            default tests/node_compat/settings/legacy.json (legacy GET push)
//        [--rate R]                   caller_cost: push() calls per second (default 1000)
//        [--window W]                 throughput: exchanges outstanding at most (default 64)
//        [--events-per-request K]     batch_throughput: batchEvents.eventsPerRequest (default 5000, max 5000)
//        [--deadline S]               final delivery wait in seconds (default 60, batch 120)
//        [--warmup M]                 pushes (and waits for) M events before measuring (default 0)
//        [--out result.json]
//
// Prints one JSON line to stdout (and writes it to --out):
//   {"sdk":"vwo-node-sdk","version":..,"node":..,"scenario":..,"events":N,"delivered":..,"failed":..,
//    "seconds":..,"events_per_s":..,"cpu_us_per_event":..,"connections":..,"requests":..,
//    "caller_ns":{"p50":..,"p90":..,"p99":..,"p999":..,"max":..,"mean":..}, ...extra fields}
// delivered: events whose request got a 2xx response; failed = events - delivered; seconds: first
// push() to the last exchange finished; connections: distinct sockets the SDK's requests used;
// requests: HTTP requests the SDK started; cpu_us_per_event: process.cpuUsage() (user+system) over the
// same window / delivered; caller_ns: duration of each push() call on the caller's thread.
// Exit: 0 all events delivered, 3 not everything delivered within the deadline, 2 usage/setup error.
'use strict';

const fs = require('fs');
const path = require('path');
// The preload (-r) normally loaded it already; requiring it here also makes sure it is installed
// before the SDK is loaded if someone forgets -r (it exits 2 without a valid VWO_BENCH_PORT).
const redirect = require('./redirect.js');

const USAGE =
  'usage: node -r bench/node/redirect.js bench/node/node_bench.js --sdk-prefix DIR ' +
  '--scenario caller_cost|throughput|batch_throughput --events N [--settings FILE] [--rate R] [--window W] ' +
  '[--events-per-request K] [--deadline S] [--warmup M] [--out result.json]';

function usage(message) {
  process.stderr.write(`node_bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const known = new Set([
    'sdk-prefix',
    'settings',
    'scenario',
    'events',
    'rate',
    'window',
    'events-per-request',
    'deadline',
    'warmup',
    'out'
  ]);
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!flag.startsWith('--') || !known.has(flag.slice(2))) usage(`unknown argument ${flag}`);
    if (i + 1 >= argv.length) usage(`${flag} needs a value`);
    args[flag.slice(2)] = argv[i + 1];
  }
  return args;
}

function positiveInt(args, name, fallback, max = Number.MAX_SAFE_INTEGER) {
  const raw = args[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(v) || v <= 0 || v > max) {
    usage(`--${name} must be an integer in 1..${max} (got ${raw})`);
  }
  return v;
}

const args = parseArgs(process.argv.slice(2));
const SCENARIOS = ['caller_cost', 'throughput', 'batch_throughput'];
const scenario = args.scenario;
if (!SCENARIOS.includes(scenario)) usage(`--scenario must be one of ${SCENARIOS.join(', ')}`);
if (!args['sdk-prefix']) usage('--sdk-prefix is required');
const events = positiveInt(args, 'events', undefined);
if (events === undefined) usage('--events is required');
const rate = positiveInt(args, 'rate', 1000, 10000000);
const window = positiveInt(args, 'window', 64, 1000000);
const eventsPerRequest = positiveInt(args, 'events-per-request', 5000, 5000); // SDK: MAX_EVENTS_PER_REQUEST
const deadlineS = positiveInt(args, 'deadline', scenario === 'batch_throughput' ? 120 : 60, 3600);
const warmup = args.warmup === '0' ? 0 : positiveInt(args, 'warmup', 0);
const settingsPath = path.resolve(
  args.settings || path.join(__dirname, '..', '..', 'tests', 'node_compat', 'settings', 'legacy.json')
);
const outFile = args.out;

// ---- load the SDK ----------------------------------------------------------------------------------

const sdkDir = path.join(path.resolve(args['sdk-prefix']), 'node_modules', 'vwo-node-sdk');
let vwoSdk;
let sdkVersion;
let settingsFile;
try {
  sdkVersion = JSON.parse(fs.readFileSync(path.join(sdkDir, 'package.json'), 'utf8')).version;
  vwoSdk = require(sdkDir);
} catch (err) {
  process.stderr.write(`node_bench: cannot load vwo-node-sdk from ${sdkDir}: ${err.message}\n`);
  process.exit(2);
}
if (sdkVersion !== '1.73.0') process.stderr.write(`node_bench: warning: vwo-node-sdk ${sdkVersion}, expected 1.73.0\n`);
try {
  settingsFile = JSON.parse(fs.readFileSync(settingsPath, 'utf8'));
} catch (err) {
  usage(`cannot read settings file ${settingsPath}: ${err.message}`);
}

// launch() reports every option it was given with console.info (stdout): keep stdout for the result.
console.info = () => {};
console.log = () => {};
console.warn = (...a) => process.stderr.write(`[node-sdk warn] ${a.join(' ')}\n`);
console.error = (...a) => process.stderr.write(`[node-sdk error] ${a.join(' ')}\n`);

let sdkErrorLogs = 0;
const logging = {
  level: vwoSdk.LogLevelEnum.ERROR,
  logger: {
    log(level, message) {
      if (level >= vwoSdk.LogLevelEnum.ERROR) {
        sdkErrorLogs += 1;
        if (sdkErrorLogs <= 20) process.stderr.write(`[node-sdk] ${message}\n`);
      }
    }
  }
};

function launch(batch) {
  const config = { settingsFile: JSON.parse(JSON.stringify(settingsFile)), isDevelopmentMode: false, logging };
  if (batch) {
    config.batchEvents = { eventsPerRequest, requestTimeInterval: 600, flushCallback: () => {} };
  }
  const client = vwoSdk.launch(config);
  // An invalid settings file leaves a VWO object without its queues (the constructor returns early).
  if (!client || typeof client.push !== 'function' || !client.eventQueue || (batch && !client.batchEventsQueue)) {
    throw new Error(`vwoSdk.launch() did not produce a usable client (settings file ${settingsPath})`);
  }
  return client;
}

// ---- helpers -----------------------------------------------------------------------------------------

const now = () => process.hrtime.bigint();
const yieldToLoop = () => new Promise(resolve => setImmediate(resolve));

function percentiles(samples, count) {
  if (count === 0) return { p50: null, p90: null, p99: null, p999: null, max: null, mean: null };
  const sorted = Float64Array.from(samples.subarray(0, count)).sort();
  const rank = p => sorted[Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1))];
  let sum = 0;
  for (let i = 0; i < count; i += 1) sum += sorted[i];
  return {
    p50: rank(0.5),
    p90: rank(0.9),
    p99: rank(0.99),
    p999: rank(0.999),
    max: sorted[count - 1],
    mean: Math.round(sum / count)
  };
}

// One timed push; returns its duration in ns. The user id is built by the caller, outside the timing.
function timedPush(client, userId) {
  const t0 = process.hrtime.bigint();
  const r = client.push('plan', 'premium', userId);
  const t1 = process.hrtime.bigint();
  if (!r) throw new Error(`push() returned ${JSON.stringify(r)} for ${userId}`);
  return Number(t1 - t0);
}

async function doWarmup(client, batch) {
  if (warmup === 0) return;
  const base = redirect.finished();
  let startedBefore = redirect.started();
  for (let i = 0; i < warmup; i += 1) {
    client.push('plan', 'premium', `warmup-${i}`);
    if (!batch && redirect.started() - redirect.finished() >= window) {
      await redirect.waitFor(redirect.finished() + 1, deadlineS * 1000);
    }
  }
  if (batch) {
    client.flushEvents().then(() => {}, () => {});
  }
  const expected = redirect.started() - startedBefore;
  if (!(await redirect.waitFor(base + expected, deadlineS * 1000))) {
    throw new Error(`warm-up: ${expected} requests not finished within ${deadlineS} s`);
  }
}

// ---- scenarios ---------------------------------------------------------------------------------------
// Each returns {pushed, delivered, expectedRequests, completed, caller (Float64Array), extra}.

// N pushes paced at `rate` calls/s by a timer loop (no busy spin): every tick issues the calls that are
// due by now, then sleeps until the next one is due.
async function callerCost(client, t) {
  const caller = new Float64Array(events);
  let i = 0;
  const intervalNs = 1e9 / rate;
  await new Promise((resolve, reject) => {
    const tick = () => {
      try {
        const elapsed = Number(now() - t.startNs);
        const due = Math.min(events, Math.floor(elapsed / intervalNs) + 1);
        while (i < due) {
          const userId = `user-${i}`;
          caller[i] = timedPush(client, userId);
          i += 1;
        }
        if (i >= events) return resolve();
        const waitMs = (i * intervalNs - Number(now() - t.startNs)) / 1e6;
        setTimeout(tick, Math.max(0, waitMs));
      } catch (err) {
        reject(err);
      }
    };
    tick();
  });
  const completed = await redirect.waitFor(t.base.finished + events, deadlineS * 1000);
  return { pushed: i, expectedRequests: events, completed, caller, extra: { rate } };
}

// Single-key pushes as fast as possible with at most `window` exchanges outstanding.
async function throughput(client, t) {
  const caller = new Float64Array(events);
  let stalled = false;
  let i = 0;
  for (; i < events; i += 1) {
    while (redirect.started() - redirect.finished() >= window) {
      if (!(await redirect.waitFor(redirect.finished() + 1, deadlineS * 1000))) {
        stalled = true;
        break;
      }
    }
    if (stalled) break;
    const userId = `user-${i}`;
    caller[i] = timedPush(client, userId);
  }
  const completed = !stalled && (await redirect.waitFor(t.base.finished + events, deadlineS * 1000));
  return { pushed: i, expectedRequests: events, completed, caller, extra: { window, stalled } };
}

// batchEvents: N pushes queue N events; 1.73.0 flushes synchronously inside the push() that makes the
// queue reach eventsPerRequest (BatchEventsQueue.enqueue: `if (this.eventsPerRequest === this.queue.length)
// this.flush()`, which JSON-encodes the batch and starts the POST); flushEvents() sends the remainder.
async function batchThroughput(client, t) {
  const caller = new Float64Array(events);
  const sizes = new Map(); // request id -> events in it
  redirect.trackOutcomes(true);
  for (let i = 0; i < events; i += 1) {
    const userId = `user-${i}`;
    const before = redirect.started();
    caller[i] = timedPush(client, userId);
    if (redirect.started() > before) {
      sizes.set(before, eventsPerRequest);
      await yieldToLoop(); // let the request make progress, as a server's event loop would
    }
  }
  const remainder = client.batchEventsQueue.queue.length;
  const before = redirect.started();
  const f0 = now();
  const flushed = client.flushEvents(); // resolves on the next 'batchCallCompleteion': not a reliable signal
  const flushNs = Number(now() - f0);
  if (flushed && typeof flushed.then === 'function') flushed.then(() => {}, () => {});
  if (redirect.started() > before) sizes.set(before, remainder);
  const expectedRequests = Math.ceil(events / eventsPerRequest);
  const completed = await redirect.waitFor(t.base.finished + expectedRequests, deadlineS * 1000);
  const outcomes = redirect.outcomes();
  let delivered = 0;
  for (const [id, n] of sizes) if (outcomes[id] === true) delivered += n;
  return {
    pushed: events,
    expectedRequests,
    completed,
    delivered,
    caller,
    extra: { events_per_request: eventsPerRequest, flush_ns: flushNs, remainder_flushed: remainder }
  };
}

// ---- main --------------------------------------------------------------------------------------------

async function main() {
  const batch = scenario === 'batch_throughput';
  const client = launch(batch);
  await doWarmup(client, batch);

  const base = redirect.counters();
  const t = { base, startNs: now() };
  const cpu0 = process.cpuUsage();
  const r = await { caller_cost: callerCost, throughput, batch_throughput: batchThroughput }[scenario](client, t);
  const cpu = process.cpuUsage(cpu0);
  const c = redirect.counters();

  const requests = c.started - base.started;
  const okRequests = c.ok - base.ok;
  const delivered = r.delivered !== undefined ? r.delivered : Math.min(events, okRequests);
  const endNs = r.completed && c.lastFinishNs > t.startNs ? c.lastFinishNs : now();
  const seconds = Number(endNs - t.startNs) / 1e9;
  const status = {};
  for (const k of Object.keys(c.status)) {
    const d = c.status[k] - base.status[k];
    if (d) status[k] = d;
  }
  const result = {
    sdk: 'vwo-node-sdk',
    version: sdkVersion,
    node: process.version,
    scenario,
    transport: redirect.tls ? 'https' : 'http',
    events,
    delivered,
    failed: events - delivered,
    seconds: Number(seconds.toFixed(6)),
    events_per_s: seconds > 0 ? Number((delivered / seconds).toFixed(1)) : null,
    cpu_us_per_event: delivered > 0 ? Number(((cpu.user + cpu.system) / delivered).toFixed(3)) : null,
    connections: c.sockets - base.sockets,
    requests,
    caller_ns: percentiles(r.caller, r.pushed),
    pushed: r.pushed,
    expected_requests: r.expectedRequests,
    completed_in_deadline: r.completed,
    responses: status,
    errors: c.errors - base.errors,
    tcp_connects: c.connects - base.connects,
    tls_handshakes: c.handshakes - base.handshakes,
    tls_context: redirect.tlsContext,
    cpu_user_us: cpu.user,
    cpu_system_us: cpu.system,
    sdk_error_logs: sdkErrorLogs,
    warmup,
    settings: path.basename(settingsPath)
  };
  Object.assign(result, r.extra);
  const line = JSON.stringify(result);
  if (outFile) fs.writeFileSync(outFile, line + '\n');
  process.stdout.write(line + '\n');
  const ok = r.completed && delivered === events;
  if (!ok) {
    process.stderr.write(
      `node_bench: ${scenario}: ${delivered}/${events} events delivered, ${c.finished - base.finished}/` +
        `${r.expectedRequests} exchanges finished within ${deadlineS} s\n`
    );
  }
  // batchEvents keeps a 600 s timer and failed requests retry with back-off: leave explicitly.
  process.exit(ok ? 0 : 3);
}

process.on('unhandledRejection', err => {
  process.stderr.write(`node_bench: unhandled rejection: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});

main().catch(err => {
  process.stderr.write(`node_bench: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});
