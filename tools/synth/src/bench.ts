/**
 * Synth benchmark (never run by the tests): `npx nx run synth:bench`.
 * Prints, for the five apps:
 *   - cold synth time of each app in its own process (bundled by esbuild, nothing cached) and the total,
 *   - the wall time of all five in parallel on this machine's cores (what `nx run-many -t synth` does cold),
 *   - peak resident memory per process,
 *   - the time of a fully cached `nx run-many -t synth` re-run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const APPS = ['backend-bootstrap', 'ops', 'dev', 'staging', 'prod'];

interface Run {
  readonly app: string;
  readonly ms: number;
  readonly maxRssMb: number;
}

function synthOne(app: string): Promise<Run> {
  const outdir = mkdtempSync(join(tmpdir(), `bench-${app}-`));
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // Exactly what `nx run <app>:synth` runs: bundle in memory with esbuild, then synthesize.
    const child = spawn(process.execPath, [join(root, 'tools', 'synth', 'src', 'synth.cjs'), app], {
      cwd: root,
      env: { ...process.env, ESTATE_SYNTH_OUTDIR: join(outdir, 'cdktf.out'), ESTATE_SYNTH_MEASURE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      rmSync(outdir, { recursive: true, force: true });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = stderr.trim().split('\n').reverse().find((l) => l.startsWith('{"maxRssMb"'));
      if (code !== 0 || !line) return reject(new Error(`${app} synth failed (exit ${code}):\n${stderr}`));
      resolve({ app, ms, maxRssMb: (JSON.parse(line) as { maxRssMb: number }).maxRssMb });
    });
  });
}

function nxSynth(extra: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(join(root, 'node_modules', '.bin', 'nx'), ['run-many', '-t', 'synth', ...extra], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false' },
    stdio: 'ignore',
  });
  if (result.status !== 0) throw new Error(`nx run-many -t synth ${extra.join(' ')} failed`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  console.log(`synth benchmark on ${cpus().length} cores, node ${process.version}\n`);
  const sequential: Run[] = [];
  for (const app of APPS) sequential.push(await synthOne(app));
  console.log('app                 cold synth   peak RSS');
  for (const run of sequential) console.log(`${run.app.padEnd(20)}${`${run.ms.toFixed(0)} ms`.padStart(10)}${`${run.maxRssMb} MB`.padStart(11)}`);
  const total = sequential.reduce((n, r) => n + r.ms, 0);
  console.log(`${'total (sequential)'.padEnd(20)}${`${total.toFixed(0)} ms`.padStart(10)}${`${Math.max(...sequential.map((r) => r.maxRssMb))} MB`.padStart(11)} max`);

  const started = process.hrtime.bigint();
  const workers = Math.max(1, cpus().length);
  const queue = [...APPS];
  await Promise.all(Array.from({ length: workers }, async () => {
    for (let app = queue.shift(); app; app = queue.shift()) await synthOne(app);
  }));
  console.log(`${`all five, ${workers} at a time`.padEnd(20)}${`${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`.padStart(10)}`);

  nxSynth(['--skip-nx-cache']);
  const cached = nxSynth([]);
  console.log(`${'nx re-run (cached)'.padEnd(20)}${`${cached.toFixed(0)} ms`.padStart(10)}`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
