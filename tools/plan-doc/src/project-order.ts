import type { ProjectGraph } from '@nx/devkit';

/** A deployable app of the workspace, as the Nx project graph describes it. */
export interface AppNode {
  readonly name: string;
  readonly sourceRoot: string;
  /** Apps this one is deployed after (implicit or static dependencies between apps). */
  readonly dependsOn: readonly string[];
}

/**
 * The apps (projects tagged `type:app`) in deploy order: every app after the apps it
 * depends on in the graph, ties broken by name. @throws on a cycle, naming its apps.
 */
export function orderApps(graph: Pick<ProjectGraph, 'nodes' | 'dependencies'>): AppNode[] {
  const apps = Object.values(graph.nodes).filter((n) => (n.data.tags ?? []).includes('type:app'));
  const names = new Set(apps.map((a) => a.name));
  const nodes = apps.map((a) => ({
    name: a.name,
    sourceRoot: a.data.sourceRoot ?? `${a.data.root}/src`,
    dependsOn: [...new Set((graph.dependencies[a.name] ?? []).map((d) => d.target).filter((t) => names.has(t)))].sort(),
  }));
  const ordered: AppNode[] = [];
  const placed = new Set<string>();
  while (ordered.length < nodes.length) {
    const ready = nodes.filter((n) => !placed.has(n.name) && n.dependsOn.every((d) => placed.has(d))).sort((a, b) => a.name.localeCompare(b.name));
    if (ready.length === 0) {
      const stuck = nodes.filter((n) => !placed.has(n.name)).map((n) => n.name);
      throw new Error(`dependency cycle between apps: ${stuck.join(', ')} (check implicitDependencies in apps/*/project.json)`);
    }
    ordered.push(ready[0]);
    placed.add(ready[0].name);
  }
  return ordered;
}

/** The deploy order from the workspace's project graph (no daemon, no cache). */
export async function readAppOrder(): Promise<AppNode[]> {
  process.env['NX_DAEMON'] = 'false';
  const { createProjectGraphAsync } = await import('@nx/devkit');
  return orderApps(await createProjectGraphAsync({ exitOnError: false }));
}
