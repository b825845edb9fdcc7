import type { EnvironmentContext, ServiceConfig } from '@estate/config';

/**
 * The public name a service answers to in an environment: `<hostname>.<domainName>`
 * (`api.dev.fintech.example.com`). A preview copy gets `<hostname>-<suffix>.<domainName>`
 * (`api-pr42.dev.fintech.example.com`), so its certificate, validation record and DNS
 * name never collide with the environment it copies.
 */
export function publicHostname(environment: Pick<EnvironmentContext, 'domainName' | 'suffix'>, service: ServiceConfig): string {
  const label = environment.suffix ? `${service.hostname}-${environment.suffix}` : service.hostname;
  const name = `${label}.${environment.domainName}`;
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) {
    throw new Error(`service '${service.name}': DNS label '${label}' must be 1-63 lowercase letters, digits and dashes, not starting or ending with a dash`);
  }
  if (name.length > 253) throw new Error(`service '${service.name}': public name '${name}' is ${name.length} characters; DNS allows 253`);
  return name;
}

/** Whether `name` is `zone` or inside it (`api.dev.example.com` is inside `example.com`). */
export function isInZone(name: string, zone: string): boolean {
  const n = name.replace(/\.$/, '').toLowerCase();
  const z = zone.replace(/\.$/, '').toLowerCase();
  return n === z || n.endsWith(`.${z}`);
}
