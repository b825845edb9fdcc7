import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManifestStack {
  readonly name: string;
  readonly workingDirectory: string;
  readonly synthesizedStackPath: string;
  readonly dependencies: readonly string[];
}

/** Reads cdktf's manifest.json from an app's output directory. */
export function readManifest(outdir: string): ManifestStack[] {
  const path = join(outdir, 'manifest.json');
  if (!existsSync(path)) {
    throw new Error(`no synthesized app at ${outdir} (manifest.json missing); synth failed or was not run`);
  }
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { stacks: Record<string, ManifestStack> };
  return Object.values(manifest.stacks).map((s) => ({ ...s, dependencies: s.dependencies ?? [] }));
}

/**
 * Stacks in an order where every stack comes after the stacks it depends on
 * (Kahn's algorithm; ties broken by name so the order is stable). Destroy uses the reverse.
 * @throws on a dependency cycle or a dependency on a stack that is not in the app.
 */
export function orderStacks(stacks: readonly ManifestStack[]): ManifestStack[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  for (const stack of stacks) {
    for (const dep of stack.dependencies) {
      if (!byName.has(dep)) throw new Error(`stack ${stack.name} depends on ${dep}, which is not in this app`);
    }
  }
  const remaining = new Map(stacks.map((s) => [s.name, new Set(s.dependencies)]));
  const ordered: ManifestStack[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining.entries()].filter(([, deps]) => deps.size === 0).map(([name]) => name).sort();
    if (ready.length === 0) {
      throw new Error(`dependency cycle between stacks: ${[...remaining.keys()].sort().join(', ')}`);
    }
    for (const name of ready) {
      ordered.push(byName.get(name) as ManifestStack);
      remaining.delete(name);
      for (const deps of remaining.values()) deps.delete(name);
    }
  }
  return ordered;
}

/** Keeps only the named stacks (by full name or unit suffix), failing on unknown names. */
export function selectStacks(stacks: readonly ManifestStack[], wanted: readonly string[] | undefined): ManifestStack[] {
  if (!wanted || wanted.length === 0) return [...stacks];
  return wanted.map((name) => {
    const found = stacks.find((s) => s.name === name) ?? stacks.filter((s) => s.name.endsWith(`-${name}`));
    const match = Array.isArray(found) ? (found.length === 1 ? found[0] : undefined) : found;
    if (!match) {
      throw new Error(`--stack ${name}: no such stack; this app has ${stacks.map((s) => s.name).join(', ')}`);
    }
    return match;
  });
}
