// Builds the decision tables that vwo_node_decision_tests compares the C++ decision core against, by
// running the official VWO Node SDK (npm vwo-node-sdk@1.73.0) over the settings files in settings/.
//
//   tests/node_decisions/generate_tables.sh          (installs the SDK into a scratch dir, then runs:)
//   node -r ./tests/node_decisions/no_network.js tests/node_decisions/generate_tables.js \
//        --sdk-prefix DIR [--settings-dir tests/node_decisions/settings] [--out tests/node_decisions/tables]
//
// Nothing reaches the network: the settings are passed to launch() directly (no sdkKey polling), and
// the no_network.js preload answers the SDK's impression calls in-process.
//
// For every settings file, every user and every campaign (in settings order) it calls, with the
// user's profile of customVariables / variationTargetingVariables:
//   activate, getVariationName, isFeatureEnabled, and getFeatureVariableValue for every variable key
//   the campaign or its variations define (non-VISUAL_AB campaigns also get a key that does not exist).
// Each settings file runs in its own launch() and finishes before the next starts, because Node keeps
// isNB / isNBv2 process-global (docs/decisions.md#seed-strings-and-multiplier, docs/protocol.md#differences).
//
// Two runs per file:
//   "node": the SDK as published, for every user;
//   "utf8": the same SDK with murmurhash fed the UTF-8 bytes of the seed (what Python / Ruby and our
//           default bucketing_compat::standard hash), for the non-ASCII users only (ASCII ids
//           hash identically either way).
//
// Table format (tables/<settings name>.json): see FORMAT below.
'use strict';

const fs = require('fs');
const path = require('path');
const network = require('./no_network.js');

const FORMAT =
  'users: [id, profile index, node tokens, utf8 tokens (non-ASCII ids only)]. Tokens: one per campaign ' +
  'in campaigns order, space-separated. A token is: activate, getVariationName (variation index in ' +
  "campaign.variations as a digit, '-' for null), isFeatureEnabled ('1'/'0'), then one character per " +
  'campaign.variables key: the index (0-9a-zA-Z) of getFeatureVariableValue\'s value in campaign.values. ' +
  'values: null, booleans, numbers and strings as JSON; {"json": text} for objects (JSON.stringify); ' +
  '{"number": "Infinity"} for non-finite numbers. Non-VISUAL_AB campaigns query every variable key ' +
  'plus "__missing__".';
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const MISSING_KEY = '__missing__';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const sdkPrefix = arg('sdk-prefix');
const settingsDir = path.resolve(arg('settings-dir', path.join(__dirname, 'settings')));
const outDir = path.resolve(arg('out', path.join(__dirname, 'tables')));
if (!sdkPrefix) {
  process.stderr.write('usage: node -r ./no_network.js generate_tables.js --sdk-prefix DIR [--out DIR]\n');
  process.exit(2);
}
const sdkDir = path.join(path.resolve(sdkPrefix), 'node_modules', 'vwo-node-sdk');
const sdkVersion = require(path.join(sdkDir, 'package.json')).version;
if (sdkVersion !== '1.73.0') {
  process.stderr.write(`expected vwo-node-sdk 1.73.0, found ${sdkVersion}\n`);
  process.exit(2);
}

// The murmurhash instance the SDK's BucketingService uses: patched in place so that the "utf8" run
// can hash UTF-8 bytes. Hasher.v3 is looked up at call time, so toggling `hashUtf8` is enough.
const murmurhash = require(require.resolve('murmurhash', { paths: [sdkDir] }));
const originalV3 = murmurhash.v3;
let hashUtf8 = false;
murmurhash.v3 = (key, seed) =>
  originalV3(hashUtf8 ? Buffer.from(String(key), 'utf8').toString('latin1') : key, seed);

const vwoSdk = require(sdkDir);

// Every ERROR the SDK logs, counted by message with the user id blanked (the exceptions that a fix of
// ours changes show up here: docs/decisions.md#differences-from-node-1730-in-the-decisions).
const nodeErrors = new Map();
let currentUser = null;
const logging = {
  level: vwoSdk.LogLevelEnum.ERROR,
  logger: {
    log(level, message) {
      if (level < vwoSdk.LogLevelEnum.ERROR) return;
      let text = String(message).replace(/ with customVariables:.*\. Error message:/, ' with customVariables:<profile>. Error message:');
      if (currentUser) text = text.split(`User ID:${currentUser}`).join('User ID:<user>');
      nodeErrors.set(text, (nodeErrors.get(text) || 0) + 1);
    }
  }
};
console.info = () => {};
console.log = () => {};
console.warn = () => {};

// Variables for pre-segmentation and whitelisting: user i gets profiles[i % profiles.length].
// The values exercise every operand form of the settings files (strings, integers, doubles,
// booleans; numeric-looking strings; Unicode; `_vwoUserId` in customVariables).
const profiles = [
  { customVariables: {}, variationTargetingVariables: {} },
  {
    customVariables: {
      browser: 'Chrome', country: 'US', age: 25, price: '99.9', plan: 'PRO', member: true,
      url: 'https://vwo.com', email: 'dev@vwo.com', city: 'über STRASSE', balance: '0.0', code: '12abc',
      score: 6, ratio: 0.3, initial: 'é'
    },
    variationTargetingVariables: { tier: 'gold' }
  },
  {
    customVariables: {
      browser: 'chrome', country: 'IN', age: 30, price: 99.9, plan: 'enterprise', member: 'false',
      url: 'http://example.com', email: 'x@wingify.com', city: 'ÜBER STRASSE', balance: 0, code: '12',
      score: 'gt(-5)', ratio: '0.30', initial: '😀', _vwoUserId: 'user-1'
    },
    variationTargetingVariables: { tier: 'silver', score: 51 }
  },
  {
    customVariables: {
      browser: 'Firefox', country: 'UK', age: '20', price: 0.5, plan: 'pro', member: false,
      url: 'https://vwo.com/x', email: 'a.b@vwo.com', city: 'uber strasse', balance: '0', code: 12,
      score: '1000000000000000000000', ratio: '.3', initial: 'a', beta: true
    },
    variationTargetingVariables: { tier: 'platinum', _vwoUserId: 'Ashley' }
  },
  {
    customVariables: {
      browser: 'firefox', country: 'USA', age: 40.5, price: '18.4', plan: 'free', member: 'true',
      url: 'https://vwo.com/page?a=b', email: 'ADMIN@VWO.COM', city: 'über straße', balance: 0.25, code: '012',
      score: -5, ratio: 0.30000000000000004, initial: 'ab', beta: 'true'
    },
    variationTargetingVariables: { beta: 'true', tier: 'gold', score: 50 }
  },
  {
    customVariables: {
      browser: 'chromium', country: 'SE', age: '30.0', price: 'Infinity', plan: 'Pro', member: 'yes',
      url: 'vwo.com', email: '', city: '', score: 5, ratio: 3e-7, initial: 'İ', _vwoUserId: 'Ashley'
    },
    variationTargetingVariables: { beta: true }
  },
  {
    customVariables: {
      browser: 'Chrome ', country: 'wildcard(*)', age: 99, price: '99.900', plan: 'PRO', member: true,
      url: 'HTTPS://VWO.COM', email: 'dev@vwo.com', score: '5.5', ratio: 1e21, initial: 'ß', 7: 'seven'
    },
    variationTargetingVariables: { tier: 'bronze', score: '50.5' }
  },
  {
    customVariables: {
      browser: 'chrome', country: 'US', age: 18, plan: 'pro', member: true, 7: 'eight', price: 'lt(18.5)'
    },
    variationTargetingVariables: { tier: 'gold', _vwoUserId: 'user-8' }
  },
  {
    customVariables: { browser: 'chrome', country: 'MUS', age: 17, plan: 'PRO', member: 1, score: 'Infinity' },
    variationTargetingVariables: {}
  },
  {
    customVariables: { age: 'abc', price: 'abc', score: 'abc', code: 'abc', balance: 'abc', city: 'Ünïcödé' },
    variationTargetingVariables: { tier: 'l' }
  },
  {
    customVariables: { browser: 'chrome', country: 'US', age: '18', plan: 'Pro', member: 'true', email: 'qa@vwo.com' },
    variationTargetingVariables: { score: 'gt(50)' }
  },
  {
    customVariables: { age: 10, browser: 'FIREFOX', country: 'DE', price: 100, initial: '用' },
    variationTargetingVariables: { tier: 'GOLD', beta: 'TRUE' }
  }
];

// At least 300 ASCII ids, then non-ASCII ones (Latin-1, other BMP, astral, mixed).
function users() {
  const list = [];
  for (let i = 0; i < 280; i++) list.push(`user-${i}`);
  list.push(
    'Ashley', 'Bob', 'Sarah', 'Lucian', 'Varun', 'Emma', 'Chris', 'Dominic', 'Faizan', 'edge-ov-15762',
    'edge-ov-21796', '12345', 'user 1', 'a,b', 'UPPER', 'x', 'email@example.com', 'ID_with_underscores',
    '0', 'long-user-id-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789'
  );
  list.push(
    'José', '用户42', '😀', 'Zoë', 'Ünïcödé', 'Ñandú', 'Пётр', 'محمد', '日本語ユーザー', '👩‍💻dev', 'é', 'ß',
    'İstanbul', 'naïve-user', 'Ærøskøbing', 'Łódź', 'Δημήτρης', 'किरण', '김민준', 'user-ü-1', 'user-ü-2',
    'user-€', '™-trademark', '𝒳-math', '🎉🎉', 'café-42', 'Ωmega', 'ÿ', '中', 'Ğ-user'
  );
  return list;
}

function isAscii(text) {
  return /^[\x00-\x7f]*$/.test(text);
}

function variableKeys(campaign) {
  const keys = [];
  const add = list => {
    if (!Array.isArray(list)) return;
    for (const v of list) if (v && typeof v.key === 'string' && !keys.includes(v.key)) keys.push(v.key);
  };
  add(campaign.variables);
  for (const variation of campaign.variations || []) add(variation.variables);
  if (campaign.type !== 'VISUAL_AB') keys.push(MISSING_KEY);
  return keys;
}

function encodeValue(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return { number: String(value) };
  if (typeof value === 'object') return { json: JSON.stringify(value) };
  return value;
}

function runFile(file, userIds, header) {
  const settings = JSON.parse(fs.readFileSync(path.join(settingsDir, file), 'utf8'));
  const vwo = vwoSdk.launch({ settingsFile: settings, logging });
  if (!vwo || typeof vwo.activate !== 'function') throw new Error(`${file}: launch() failed`);

  const tokens = [];
  for (let u = 0; u < userIds.length; u++) {
    const userId = userIds[u];
    currentUser = userId;
    const profile = profiles[header.userIndex.get(userId) % profiles.length];
    const options = () => ({
      customVariables: Object.assign({}, profile.customVariables),
      variationTargetingVariables: Object.assign({}, profile.variationTargetingVariables)
    });
    const perCampaign = [];
    for (const c of header.campaigns) {
      const index = name => {
        if (name === null || name === undefined) return '-';
        const i = c.variations.indexOf(name);
        if (i < 0 || i > 9) throw new Error(`${file} ${c.key}: unexpected variation ${name}`);
        return String(i);
      };
      let token = index(vwo.activate(c.key, userId, options()));
      token += index(vwo.getVariationName(c.key, userId, options()));
      token += vwo.isFeatureEnabled(c.key, userId, options()) ? '1' : '0';
      for (const key of c.variables) {
        const value = JSON.stringify(encodeValue(vwo.getFeatureVariableValue(c.key, key, userId, options())));
        let i = c.valueTexts.indexOf(value);
        if (i < 0) {
          i = c.valueTexts.length;
          c.valueTexts.push(value);
        }
        if (i >= DIGITS.length) throw new Error(`${file} ${c.key}: too many distinct values`);
        token += DIGITS[i];
      }
      perCampaign.push(token);
    }
    tokens.push(perCampaign.join(' '));
  }
  currentUser = null;
  return tokens;
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const files = fs.readdirSync(settingsDir).filter(f => f.endsWith('.json')).sort();
  const ids = users();
  const userIndex = new Map(ids.map((id, i) => [id, i]));
  const nonAscii = ids.filter(id => !isAscii(id));
  const summary = [];
  for (const file of files) {
    const settings = JSON.parse(fs.readFileSync(path.join(settingsDir, file), 'utf8'));
    const header = {
      userIndex,
      campaigns: settings.campaigns.map(c => ({
        key: c.key,
        type: c.type,
        variations: (c.variations || []).map(v => v.name),
        variables: variableKeys(c),
        valueTexts: []
      }))
    };
    nodeErrors.clear();

    hashUtf8 = false;
    let before = network.requestCount();
    const nodeTokens = runFile(file, ids, header);
    await new Promise(resolve => setTimeout(resolve, 50)); // let the stubbed impressions settle
    const nodeRequests = network.requestCount() - before;
    const errorsNode = Object.fromEntries(nodeErrors);
    nodeErrors.clear();

    hashUtf8 = true;
    before = network.requestCount();
    const utf8Tokens = runFile(file, nonAscii, header);
    await new Promise(resolve => setTimeout(resolve, 50));
    const utf8Requests = network.requestCount() - before;
    hashUtf8 = false;
    const utf8ByUser = new Map(nonAscii.map((id, i) => [id, utf8Tokens[i]]));

    const table = {
      format: FORMAT,
      generator:
        'node -r ./tests/node_decisions/no_network.js tests/node_decisions/generate_tables.js --sdk-prefix <dir with ' +
        'node_modules/vwo-node-sdk@1.73.0> (or tests/node_decisions/generate_tables.sh)',
      sdk: `vwo-node-sdk@${sdkVersion}`,
      node: process.version,
      settings: file,
      profiles,
      campaigns: header.campaigns.map(c => ({
        key: c.key,
        type: c.type,
        variations: c.variations,
        variables: c.variables,
        values: c.valueTexts.map(t => JSON.parse(t))
      })),
      trackUserRequests: { node: nodeRequests, utf8: utf8Requests },
      nodeErrors: { node: errorsNode, utf8: Object.fromEntries(nodeErrors) },
      users: ids.map((id, i) => {
        const row = [id, i % profiles.length, nodeTokens[i]];
        if (utf8ByUser.has(id)) row.push(utf8ByUser.get(id));
        return row;
      })
    };
    // One user per line: small diffs when the settings change.
    const lines = JSON.stringify(table, null, 1).split('\n');
    const usersAt = lines.findIndex(l => l.startsWith(' "users"'));
    const text =
      lines.slice(0, usersAt).join('\n') +
      '\n "users": [\n' +
      table.users.map(u => '  ' + JSON.stringify(u)).join(',\n') +
      '\n ]\n}\n';
    fs.writeFileSync(path.join(outDir, file), text);
    summary.push(`${file}: ${ids.length} users x ${header.campaigns.length} campaigns, ` +
      `${nodeRequests} + ${utf8Requests} stubbed impressions`);
  }
  process.stderr.write(summary.join('\n') + '\n');
}

main().catch(err => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
