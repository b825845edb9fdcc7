#!/usr/bin/env node
// Runs Stryker over each mutation module, one at a time (2 shared cores), then prints one
// line per module: killed, timed out, survived, not covered, score. Exits 1 when a module
// scores under 80 % or its run failed.
//   node tools/ci/src/mutate.mjs                  every module
//   node tools/ci/src/mutate.mjs guardrails config
//   STRYKER_INCREMENTAL=false ...                 a full run, ignoring earlier results
//   STRYKER_IGNORE_STATIC=false ...               also test static mutants (slow)
//   node tools/ci/src/mutate.mjs migrate:ledger   one part of a module with parts
//   STRYKER_MUTATE=libs/guardrails/src/lib/policy.ts STRYKER_REPORT_DIR=tmp/mutation/policy \
//     node tools/ci/src/mutate.mjs guardrails     one file (or `file:10-40`), reports of its own
// `ignored` counts static mutants left out; the score is (killed + timeout) / (killed +
// timeout + survived + no cover), Stryker's own definition. A module with parts (see
// mutation-modules.mjs) runs one Stryker per part and adds up their counts.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULES, reportDirOf, runsOf } from './mutation-modules.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GOAL = 80;
const USAGE = `usage: node tools/ci/src/mutate.mjs [${Object.keys(MODULES).join('|')}][:<part>]...`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  const parted = Object.entries(MODULES).filter(([, m]) => m.parts).map(([n, m]) => `${n}: ${Object.keys(m.parts).join(', ')}`);
  console.log(`${USAGE}\nRuns Stryker on each module (all when none is given) and prints its mutation score; fails under ${GOAL} %.\nParts: ${parted.join('; ')}.`);
  process.exit(0);
}
const options = args.filter((a) => a.startsWith('-'));
if (options.length > 0) {
  console.error(`unknown option ${options.map((a) => `'${a}'`).join(', ')} (modules and parts only; STRYKER_* variables set the rest)\n${USAGE}`);
  process.exit(2);
}
const unknown = args.filter((a) => !(a.split(':')[0] in MODULES));
if (unknown.length > 0) {
  console.error(`unknown module ${unknown.map((a) => `'${a}'`).join(', ')}\n${USAGE}`);
  process.exit(2);
}
/** `[module, runs]` for every argument, checked before anything runs. */
let selected;
try {
  selected = (args.length > 0 ? args : Object.keys(MODULES)).map((arg) => {
    const [name, part] = arg.split(':');
    return [arg, name, runsOf(name, process.env, part)];
  });
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}

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
 * The engines a module's specs share for the whole run (`services`: ESTATE_POSTGRES,
 * ESTATE_DYNAMODB_LOCAL, tools/testing): its specs would otherwise start them once per mutant.
 * tools/testing/src/serve.ts starts them and prints the environment that names them; it stops
 * them on SIGTERM or when its stdin closes (this process is gone).
 */
async function startServices(services) {
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'tools', 'testing', 'src', 'serve.ts'), ...services], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const env = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => reject(new Error(`tools/testing/src/serve.ts ${services.join(' ')} exited with ${code} before it printed the environment`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    env,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * PostgreSQL servers that specs started during the run and did not stop: Stryker kills a test
 * process that hangs or times out, before its afterAll. Their data directories are the
 * harness's ($TMPDIR/estate-pg-*), made after `since`; each but the shared one is stopped by the pid in postmaster.pid
 * and removed.
 */
function reapServers(since, services) {
  const sharedPort = /:(\d+)$/.exec(services?.env.ESTATE_POSTGRES ?? '')?.[1];
  let reaped = 0;
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith('estate-pg-') || entry.startsWith('estate-pg-template')) continue;
    const dir = join(tmpdir(), entry);
    const stat = statSync(dir, { throwIfNoEntry: false });
    if (!stat || stat.birthtimeMs < since) continue;
    const pidFile = join(dir, 'data', 'postmaster.pid');
    if (existsSync(pidFile)) {
      // postmaster.pid: the pid on its first line, the port on its fourth.
      const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
      if (port === sharedPort) continue;
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
    reaped += 1;
  }
  if (reaped > 0) console.log(`stopped ${reaped} PostgreSQL server(s) that killed test processes left behind`);
}

/** Stryker on one run of a module; its report, or why there is none. */
async function strykerRun(name, part, services) {
  // A report left by an earlier run must not stand for this one (Stryker exits 1 both under the
  // threshold and when its initial test run fails); the incremental file stays.
  const reportFile = join(root, reportDirOf(name, process.env, part), 'mutation.json');
  rmSync(reportFile, { force: true });
  // Stopped from outside (Ctrl-C, SIGTERM), the run ends Stryker and the shared engines with it
  // instead of leaving them behind.
  const child = spawn(process.execPath, [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', 'stryker.config.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, STRYKER_MODULE: name, ...(part ? { STRYKER_PART: part } : {}), ...services?.env },
  });
  const stop = (signal) => {
    child.kill(signal);
    void services?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const run = await new Promise((resolve) => child.on('exit', (code) => resolve({ status: code })));
  process.off('SIGINT', stop).off('SIGTERM', stop);
  if (!existsSync(reportFile)) return { failed: `no report (stryker exited ${run.status})` };
  return { report: JSON.parse(readFileSync(reportFile, 'utf8')) };
}

const COUNTS = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError', 'RuntimeError', 'Ignored'];
const rows = [];
for (const [label, name, runs] of selected) {
  console.log(`\n=== mutation testing ${label} (${MODULES[name].project}) ===`);
  const started = Date.now();
  const services = MODULES[name].services?.length ? await startServices(MODULES[name].services) : undefined;
  if (services) console.log(`shared by every spec of this run: ${Object.entries(services.env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const total = Object.fromEntries(COUNTS.map((c) => [c, 0]));
  const left = [];
  const partRows = [];
  let failed;
  for (const { part } of runs) {
    if (part) console.log(`\n--- ${name}:${part} ---`);
    const partStarted = Date.now();
    const result = await strykerRun(name, part, services);
    reapServers(partStarted, services);
    if (result.failed) {
      failed = `${part ? `${part}: ` : ''}${result.failed}`;
      break;
    }
    const score = scoreOf(result.report);
    for (const c of COUNTS) total[c] += score[c];
    if (part && runs.length > 1) partRows.push({ name: `  ${part}`, ...score, seconds: Math.round((Date.now() - partStarted) / 1000), part: true });
    left.push(...survivorsOf(result.report));
  }
  await services?.stop();
  const seconds = Math.round((Date.now() - started) / 1000);
  if (failed) {
    rows.push({ name: label, failed, seconds });
    continue;
  }
  const detected = total.Killed + total.Timeout;
  const valid = detected + total.Survived + total.NoCoverage;
  rows.push({ name: label, ...total, valid, score: valid === 0 ? 0 : (100 * detected) / valid, seconds }, ...partRows);
  console.log(`\n${label}: ${left.length} mutant(s) survived or not covered${left.length > 0 ? ':' : ''}`);
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
  // A part's score is information: the goal is the module's.
  if (row.score < GOAL && !row.part) ok = false;
  console.log(`${pad(row.name, 12)} ${pad(row.Killed, 7)} ${pad(row.Timeout, 8)} ${pad(row.Survived, 9)} ${pad(row.NoCoverage, 9)} ${pad(row.Ignored, 8)} ${pad(`${row.score.toFixed(2)} %`, 8)} ${row.seconds}s${row.score < GOAL && !row.part ? `  under ${GOAL} %` : ''}`);
}
process.exitCode = ok ? 0 : 1;
