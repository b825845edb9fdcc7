import { existsSync, readFileSync } from 'node:fs';
import type { Organisation, PeerName } from '@estate/config';
import { PreflightError } from '@estate/deploy';

/** `apps/<app>/cfn-outputs/flat-outputs.json` as the deploy driver writes it: `<stack>_<output>` → value. */
export type FlatOutputs = Readonly<Record<string, unknown>>;

/**
 * Output names the checks read, canonical name first. Stacks should declare the canonical
 * name; the others are accepted so a stack's wording does not silently skip a check. A
 * `<service>`/`<database>`/`<peer>` placeholder is the name from the organisation model.
 */
export const OUTPUT_NAMES = {
  vpcId: ['vpc_id'],
  clusterName: ['ecs_cluster_name', 'cluster_name'],
  serviceName: ['<service>_service_name', '<service>_ecs_service_name'],
  albDnsName: ['<service>_alb_dns_name', 'alb_dns_name', '<service>_load_balancer_dns_name', 'load_balancer_dns_name'],
  url: ['<service>_url', 'url'],
  databaseIdentifier: ['<database>_instance_id', '<database>_db_identifier', '<database>_db_instance_identifier', '<database>_identifier'],
  peeringConnectionId: ['<peer>_peering_connection_id', 'peering_<peer>_connection_id', '<peer>_peering_id'],
} as const;

/** Reads the flat outputs file, or stops with what is missing and how to get it. */
export function readFlatOutputs(path: string, app: string): FlatOutputs {
  const howTo =
    `deploy first (\`nx run ${app}:deploy\`, with the same ENVIRONMENT_SUFFIX for a preview): the deploy driver writes it after apply; ` +
    `or download the \`cfn-outputs\` artifact of the CI deploy job into apps/${app}/cfn-outputs/`;
  if (!existsSync(path)) throw new PreflightError([`no outputs file at ${path}: ${howTo}`]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PreflightError([`${path} is not valid JSON (${(error as Error).message}): ${howTo}`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PreflightError([`${path} must hold one flat JSON object of "<stack>_<output>": value; found ${Array.isArray(parsed) ? 'an array' : typeof parsed}`]);
  }
  return parsed as FlatOutputs;
}

/**
 * The outputs of one environment (`dev` or `dev-pr42`), keyed by output name without the
 * stack: stacks are `<qualifier>-<unit>` and units have no dash, so `dev-pr42-network_vpc_id`
 * belongs to `dev-pr42`, never to `dev`.
 * @throws PreflightError when the file holds nothing for this qualifier (names the ones it does hold)
 */
export function outputsOf(flat: FlatOutputs, qualifier: string, path: string): Map<string, { stack: string; value: unknown }> {
  const mine = new Map<string, { stack: string; value: unknown }>();
  const others = new Set<string>();
  for (const [key, value] of Object.entries(flat)) {
    const split = key.indexOf('_');
    const stack = split > 0 ? key.slice(0, split) : key;
    if (split > 0 && stack.startsWith(`${qualifier}-`) && !stack.slice(qualifier.length + 1).includes('-')) {
      mine.set(key.slice(split + 1), { stack, value });
    } else {
      others.add(stack.replace(/-[a-z]+$/, ''));
    }
  }
  if (mine.size === 0) {
    const found = others.size ? `it holds outputs of ${[...others].sort().join(', ')}` : 'it is empty';
    throw new PreflightError([
      `${path} has no outputs of ${qualifier} (${found}): deploy ${qualifier} first, or set ENVIRONMENT_SUFFIX to the preview you mean`,
    ]);
  }
  return mine;
}

export interface ServiceOutputs {
  readonly name: string;
  readonly healthCheckPath: string;
  /** Host name the certificate is for (from `<service>_url`, else `<hostname>.<domain>`). */
  readonly publicHost: string;
  readonly albDnsName?: string;
  readonly clusterName?: string;
  readonly serviceName?: string;
}

export interface DatabaseOutputs {
  readonly name: string;
  readonly identifier?: string;
}

export interface PeeringOutputs {
  readonly peer: PeerName;
  readonly peerCidr: string;
  readonly connectionId?: string;
}

/** What the checks need, resolved from the outputs against the organisation model. */
export interface EnvironmentOutputs {
  readonly environment: string;
  readonly qualifier: string;
  readonly vpcId?: string;
  readonly services: readonly ServiceOutputs[];
  readonly databases: readonly DatabaseOutputs[];
  readonly peerings: readonly PeeringOutputs[];
  /** Every ARN among the output values (checked for the required tags). */
  readonly arns: readonly string[];
  /** `<stack>_<output>` names a check looked for and did not find, with the canonical name. */
  readonly missing: readonly { readonly what: string; readonly expected: string }[];
}

/**
 * Resolves the outputs the checks need. Services and databases come from the organisation
 * model, peerings from the matrix entries this environment owns (a preview owns none), so a
 * stack that forgot an output shows up as a failed check instead of a check never run.
 */
export function resolveOutputs(
  outputs: ReadonlyMap<string, { stack: string; value: unknown }>,
  organisation: Organisation,
  environment: string,
  qualifier: string,
  isPreview: boolean,
  domainName: string,
): EnvironmentOutputs {
  const missing: { what: string; expected: string }[] = [];
  const find = (names: readonly string[], placeholder: Record<string, string>, what: string): string | undefined => {
    const candidates = names.map((n) => n.replace(/<(\w+)>/g, (_, key: string) => placeholder[key] ?? `<${key}>`));
    for (const name of candidates) {
      const value = outputs.get(name)?.value;
      if (typeof value === 'string' && value.length > 0) return value;
    }
    missing.push({ what, expected: `${qualifier}-<unit>_${candidates[0]}` });
    return undefined;
  };

  const services = organisation.services.map((service): ServiceOutputs => {
    const p = { service: service.name };
    const url = [`${service.name}_url`, 'url'].map((n) => outputs.get(n)?.value).find((v): v is string => typeof v === 'string');
    let publicHost = `${service.hostname}.${domainName}`;
    if (url) {
      try {
        publicHost = new URL(url).hostname;
      } catch {
        missing.push({ what: `${service.name} URL '${url}' is not a URL`, expected: `${qualifier}-app_${service.name}_url = https://<host>` });
      }
    }
    return {
      name: service.name,
      healthCheckPath: service.healthCheckPath,
      publicHost,
      albDnsName: find(OUTPUT_NAMES.albDnsName, p, `${service.name} load balancer DNS name`),
      clusterName: find(OUTPUT_NAMES.clusterName, p, 'ECS cluster name'),
      serviceName: find(OUTPUT_NAMES.serviceName, p, `${service.name} ECS service name`),
    };
  });

  const databases = organisation.databases.map((db): DatabaseOutputs => ({
    name: db.name,
    identifier: find(OUTPUT_NAMES.databaseIdentifier, { database: db.name }, `${db.name} DB instance identifier`),
  }));

  const owned = isPreview
    ? []
    : organisation.input.peering.filter((entry) => organisation.peeringOwner(entry) === environment);
  const peerings = owned.map((entry): PeeringOutputs => {
    const peer = (entry.between[0] === environment ? entry.between[1] : entry.between[0]) as PeerName;
    return {
      peer,
      peerCidr: organisation.vpcCidrOf(peer),
      connectionId: find(OUTPUT_NAMES.peeringConnectionId, { peer }, `peering ${environment}↔${peer} connection id`),
    };
  });

  const vpcId = owned.length > 0 ? find(OUTPUT_NAMES.vpcId, {}, 'VPC id') : (outputs.get('vpc_id')?.value as string | undefined);
  const arns = [...outputs.values()]
    .flatMap(({ value }) => (Array.isArray(value) ? value : [value]))
    .filter((v): v is string => typeof v === 'string' && /^arn:aws[a-z-]*:/.test(v));

  const uniqueMissing = [...new Map(missing.map((m) => [m.what, m])).values()];
  return { environment, qualifier, vpcId, services, databases, peerings, arns: [...new Set(arns)].sort(), missing: uniqueMissing };
}
