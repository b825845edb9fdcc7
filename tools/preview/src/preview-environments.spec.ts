/**
 * Synthesizes the real environment apps (their main.ts, through tsx, exactly as
 * `nx run dev:synth` and the deploy driver do) unsuffixed and as previews, and audits the
 * result: a preview is a separate copy that destroys cleanly, prod keeps its protections.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_ORGANISATION_PATH, exampleOrganisationInput } from '@estate/config';
import { cleanDestroyProblems, isolationProblems, prodProtectionProblems, readSynthesizedApp, resourceCounts, type SynthStack } from './preview-audit';

const root = join(__dirname, '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'preview-'));

function synth(app: string, suffix?: string): { status: number | null; output: string; outdir: string } {
  const outdir = join(scratch, `${app}-${suffix ?? 'base'}`);
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], ORG_CONFIG: EXAMPLE_ORGANISATION_PATH, ESTATE_SYNTH_OUTDIR: outdir };
  if (suffix) env['ENVIRONMENT_SUFFIX'] = suffix;
  // The same command as `nx run <app>:synth`.
  const result = spawnSync(process.execPath, [join(root, 'tools', 'synth', 'src', 'synth.cjs'), app], { cwd: root, env, encoding: 'utf8', timeout: 240000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, outdir };
}

function synthApp(app: string, suffix?: string): SynthStack[] {
  const result = synth(app, suffix);
  if (result.status !== 0) throw new Error(`${app}${suffix ? ` (ENVIRONMENT_SUFFIX=${suffix})` : ''} did not synthesize:\n${result.output}`);
  return readSynthesizedApp(result.outdir);
}

const organisation = exampleOrganisationInput();
let dev: SynthStack[];
let preview: SynthStack[];
let otherPreview: SynthStack[];
let prod: SynthStack[];

describe('a preview of dev (ENVIRONMENT_SUFFIX=pr42)', () => {
  beforeAll(() => {
    dev = synthApp('dev');
    preview = synthApp('dev', 'pr42');
    otherPreview = synthApp('dev', 'pr7');
  }, 600000);

  it('carries dev-pr42 in every stack id, state key, name and output, and shares none with dev', () => {
    expect(preview.map((s) => s.name)).toEqual(dev.filter((s) => s.name !== 'dev-peering').map((s) => s.name.replace(/^dev-/, 'dev-pr42-')));
    expect(isolationProblems(preview, dev, 'dev-pr42', 'dev')).toEqual([]);
  });

  it('shares no name or state key with another preview', () => {
    expect(isolationProblems(preview, otherPreview, 'dev-pr42', 'dev-pr7')).toEqual([]);
  });

  it('owns no peering: it reuses dev\'s CIDR and could not sit beside it', () => {
    expect(preview.some((s) => s.name.endsWith('-peering') || Object.keys(s.json.resource ?? {}).some((t) => t.startsWith('aws_vpc_peering_connection')))).toBe(false);
  });

  it('destroys cleanly: no deletion protection, emptied buckets, no final snapshot, short log retention', () => {
    expect(cleanDestroyProblems(preview)).toEqual([]);
  });

  it('contains the resources whose protections are checked, so the checks above are not vacuous', () => {
    const counts = resourceCounts(preview);
    const expected: Record<string, number> = {
      aws_db_instance: organisation['databases'].length,
      aws_s3_bucket: 1,
      aws_cloudwatch_log_group: 1,
      aws_lb: 1,
      aws_ecs_service: organisation['services'].length,
    };
    const missing = Object.entries(expected).filter(([type, n]) => (counts[type] ?? 0) < n).map(([type, n]) => `${type}: ${counts[type] ?? 0} of at least ${n}`);
    expect(missing).toEqual([]);
  });
});

describe('prod (unsuffixed)', () => {
  beforeAll(() => {
    prod = synthApp('prod');
  }, 300000);

  it('keeps deletion protection, Multi-AZ, final snapshots, kept buckets and long log retention', () => {
    expect(prodProtectionProblems(prod)).toEqual([]);
    expect(resourceCounts(prod)['aws_db_instance'] ?? 0).toBeGreaterThanOrEqual(organisation['databases'].length);
  });

});

describe('a preview of prod', () => {
  it('is refused unless the organisation allows it', () => {
    const result = synth('prod', 'pr42');
    expect(result.status).toBe(1);
    expect(result.output).toContain("'pr42' asks for a preview copy of prod, but environments.prod.allowPreviews is false");
  });
});
