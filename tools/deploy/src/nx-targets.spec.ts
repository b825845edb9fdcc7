import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS } from './app-graph';

const workspaceRoot = join(__dirname, '..', '..', '..');
const nx = JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as {
  namedInputs: Record<string, unknown[]>;
  targetDefaults: Record<string, { dependsOn?: unknown[]; inputs?: unknown[]; options?: { command?: string } }>;
};

describe('Nx targets of the driver', () => {
  it('never runs another app\'s plan/deploy/destroy/drift as a task dependency (it would not get the flags typed)', () => {
    for (const target of ['plan', 'deploy', 'destroy', 'drift']) {
      expect({ target, dependsOn: nx.targetDefaults[target]?.dependsOn }).toEqual({ target, dependsOn: undefined });
      expect(nx.targetDefaults[target]?.options?.command).toBe(`tsx --tsconfig tools/deploy/tsconfig.json tools/deploy/src/cli.ts ${target} {projectName}`);
      for (const app of APPS) {
        const project = JSON.parse(readFileSync(join(workspaceRoot, 'apps', app, 'project.json'), 'utf8')) as { targets: Record<string, { dependsOn?: unknown[] }> };
        expect({ app, target, dependsOn: project.targets[target]?.dependsOn }).toEqual({ app, target, dependsOn: undefined });
        expect(project.targets[target]).toBeDefined();
      }
    }
  });

  it('keys synth and test caches on the organisation file\'s content, not only its path', () => {
    expect(nx.namedInputs['organisation']).toContainEqual({ runtime: 'node tools/synth/src/org-hash.cjs' });
    expect(nx.targetDefaults['synth']?.inputs).toContain('organisation');
    // One validation before every synth: a broken config is reported once, not once per app.
    expect(nx.targetDefaults['synth']?.dependsOn).toEqual([{ projects: ['synth'], target: 'check-organisation' }]);
    expect(nx.targetDefaults['test']?.inputs).toContain('organisation');
  });

  it('org-hash prints a different key when the file\'s content changes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'org-')), 'organisation.json');
    const hash = () => spawnSync(process.execPath, [join(workspaceRoot, 'tools', 'synth', 'src', 'org-hash.cjs')], { encoding: 'utf8', env: { ...process.env, ORG_CONFIG: file } }).stdout;
    writeFileSync(file, '{"name":"a"}');
    const first = hash();
    expect(first).toMatch(/ sha256:[0-9a-f]{64}$/);
    expect(hash()).toBe(first);
    writeFileSync(file, '{"name":"b"}');
    expect(hash()).not.toBe(first);
  });
});
