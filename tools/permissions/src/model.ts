import { createHash } from 'node:crypto';
import type { SynthStack } from './synthesized';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** An IAM policy document as the stacks render it. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: Json[];
}

/** A role the stacks define, with everything that decides what it may do. */
export interface RoleModel {
  readonly arn: string;
  readonly name: string;
  readonly accountId: string;
  /** Stack and address that define it. */
  readonly definedIn: string;
  readonly trust: PolicyDocument;
  /** Inline policies and attached managed policies (name → document). */
  readonly identityPolicies: { readonly name: string; readonly policy: PolicyDocument }[];
  readonly boundary?: { readonly arn: string; readonly policy: PolicyDocument };
  readonly maxSessionDurationSeconds: number;
}

/** A resource of a stack with its configuration resolved as far as synth can tell. */
export interface ResourceModel {
  readonly stack: StackModel;
  /** `resource` or `data`. */
  readonly mode: 'resource' | 'data';
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly config: Json;
  /** The provider it is created through: the account and the role (last hop of the chain). */
  readonly provider: ProviderModel;
}

export interface ProviderModel {
  readonly alias: string;
  readonly accountId: string;
  readonly region: string;
  readonly roleArn: string;
  readonly tags: Record<string, string>;
}

export interface StackModel {
  readonly app: string;
  readonly name: string;
  readonly json: Json;
  readonly providers: ReadonlyMap<string, ProviderModel>;
  readonly defaultProvider: ProviderModel;
}

const REFERENCE = /\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

/** A stable, fake id for generated identifiers (`vpc-0123abcd`). */
export function fakeId(seed: string, length = 17): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function provider(json: Json, alias: string, stackName: string): ProviderModel {
  const entry = (json.provider?.aws ?? []).find((p: Json) => (p.alias ?? '') === alias);
  if (!entry) throw new Error(`${stackName}: no aws provider '${alias || 'default'}'`);
  const chain: Json[] = entry.assume_role ?? [];
  return {
    alias,
    accountId: entry.allowed_account_ids?.[0] ?? '',
    region: entry.region,
    roleArn: chain.length ? chain[chain.length - 1].role_arn : '',
    tags: entry.default_tags?.[0]?.tags ?? {},
  };
}

export function stackModel(stack: SynthStack): StackModel {
  const providers = new Map<string, ProviderModel>();
  for (const p of stack.json.provider?.aws ?? []) providers.set(p.alias ?? '', provider(stack.json, p.alias ?? '', stack.name));
  const defaultProvider = providers.get('');
  if (!defaultProvider) throw new Error(`${stack.name}: no default aws provider`);
  return { app: stack.app, name: stack.name, json: stack.json, providers, defaultProvider };
}

export function resourcesOf(stack: StackModel): ResourceModel[] {
  const out: ResourceModel[] = [];
  for (const mode of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries<Record<string, Json>>(stack.json[mode] ?? {})) {
      for (const [name, config] of Object.entries(byName)) {
        const alias = typeof config.provider === 'string' ? config.provider.replace(/^aws\.?/, '') : '';
        const p = type.startsWith('aws_') ? stack.providers.get(alias) ?? stack.defaultProvider : stack.defaultProvider;
        out.push({ stack, mode, type, name, address: `${mode === 'data' ? 'data.' : ''}${type}.${name}`, config, provider: p });
      }
    }
  }
  return out;
}

/** How a type's ARN and generated id are built from its resolved configuration. */
export type ArnOf = (resource: ResourceModel, resolve: Resolver) => string;

export interface Resolver {
  /** The value with every `${...}` reference replaced by what it will be at apply time (or a stable placeholder). */
  string(value: unknown, stack: StackModel): string;
  /** The ARN of a resource of the stack. */
  arn(resource: ResourceModel): string;
  /** A resource of `stack` by address. */
  find(stack: StackModel, address: string): ResourceModel | undefined;
}

/**
 * Resolves references inside synthesized configuration: ARNs through the type table,
 * names and ids from the referenced resource's own (resolved) configuration, the caller
 * identity and region from the provider, and stable placeholders for anything known only
 * at apply time (`unknown-<name>-<attr>`).
 */
export function createResolver(arnOf: (resource: ResourceModel) => ArnOf | undefined, idOf: (resource: ResourceModel, resolver: Resolver) => string | undefined): Resolver {
  const index = new Map<StackModel, Map<string, ResourceModel>>();
  const find = (stack: StackModel, address: string) => {
    let byAddress = index.get(stack);
    if (!byAddress) {
      byAddress = new Map(resourcesOf(stack).map((r) => [r.address, r]));
      index.set(stack, byAddress);
    }
    return byAddress.get(address);
  };
  const depth = { n: 0 };
  const resolver: Resolver = {
    find,
    arn(resource) {
      const build = arnOf(resource);
      if (!build) return `arn:aws:unknown:${resource.provider.region}:${resource.provider.accountId}:${resource.type}/${fakeId(resource.address, 8)}`;
      return build(resource, resolver);
    },
    string(value, stack) {
      if (value === undefined || value === null) return '';
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (depth.n > 20) return text;
      depth.n++;
      try {
        return text.replace(REFERENCE, (whole, data: string | undefined, type: string, name: string, path: string) => {
          const attrs = path.split(/[.[\]]/).filter(Boolean);
          const attr = attrs[0] ?? 'id';
          const target = find(stack, `${data ? 'data.' : ''}${type}.${name}`);
          if (data && type === 'aws_caller_identity') return attr === 'account_id' ? (target?.provider.accountId ?? stack.defaultProvider.accountId) : whole;
          if (data && type === 'aws_region') return target?.provider.region ?? stack.defaultProvider.region;
          if (data && type === 'aws_partition') return 'aws';
          if (!target) return `unknown-${name}-${attrs.join('-')}`;
          if (attr === 'arn' || (attr.endsWith('_arn') && target.config[attr] === undefined)) return resolver.arn(target);
          if (attr === 'id' || (attr.endsWith('_id') && target.config[attr] === undefined && attrs.length === 1)) return idOf(target, resolver) ?? `unknown-${name}-${attr}`;
          const own = target.config[attr];
          if (typeof own === 'string') return resolver.string(own, stack);
          if (attr === 'name' || attr === 'identifier') return idOf(target, resolver) ?? `unknown-${name}-${attr}`;
          return `unknown-${name}-${attrs.join('-')}`;
        });
      } finally {
        depth.n--;
      }
    },
  };
  return resolver;
}

/** Parses a policy document written as JSON text with references, resolved in `stack`. */
export function parsePolicy(text: unknown, stack: StackModel, resolver: Resolver): PolicyDocument | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    return JSON.parse(resolver.string(text, stack)) as PolicyDocument;
  } catch {
    return undefined;
  }
}
