import { ENVIRONMENT_NAMES, type Organisation } from '@estate/config';

/** The deployable apps; every app's real upstream apps come from {@link appDependencies}. */
export const APPS = ['backend-bootstrap', 'ops', 'dev', 'staging', 'prod'] as const;
export type AppName = (typeof APPS)[number];

export function isApp(name: string): name is AppName {
  return (APPS as readonly string[]).includes(name);
}

/**
 * The apps each app must be deployed after, from the organisation model:
 * backend-bootstrap first (state buckets, deploy roles), then ops (registry, CI identity),
 * then each environment after ops; an environment that owns a peering (the later side, see
 * `Organisation.peeringOwner`) after its peer. No promotion order: prod does not depend on
 * staging. `apps/*\/project.json` mirrors this as `implicitDependencies` so `nx graph`
 * shows it (a test fails when they disagree).
 */
export function appDependencies(organisation: Organisation): Record<AppName, AppName[]> {
  const deps: Record<AppName, AppName[]> = { 'backend-bootstrap': [], ops: ['backend-bootstrap'], dev: ['ops'], staging: ['ops'], prod: ['ops'] };
  for (const entry of organisation.input.peering) {
    const [a, b] = entry.between;
    if (a === 'legacy' || b === 'legacy') continue;
    const owner = organisation.peeringOwner(entry);
    const peer = owner === a ? b : a;
    if (!deps[owner].includes(peer as AppName)) deps[owner].push(peer as AppName);
  }
  for (const name of ENVIRONMENT_NAMES) deps[name].sort((x, y) => APPS.indexOf(x) - APPS.indexOf(y));
  return deps;
}

/**
 * `app` and every app it depends on, transitively, upstream first (ties in APPS order).
 * @throws on an unknown app or a dependency cycle.
 */
export function appsFor(app: string, dependencies: Readonly<Record<string, readonly string[]>>): string[] {
  const known = Object.keys(dependencies);
  if (!known.includes(app)) throw new Error(`unknown app '${app}': expected one of ${known.join(', ')}`);
  const needed = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (path.includes(name)) throw new Error(`dependency cycle between apps: ${[...path, name].join(' -> ')}`);
    if (needed.has(name)) return;
    for (const dep of dependencies[name] ?? []) visit(dep, [...path, name]);
    needed.add(name);
  };
  visit(app, []);
  return [...needed];
}
