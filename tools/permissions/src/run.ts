import { ENVIRONMENT_NAMES, isEnvironmentName, snapshotIdentifierFor, type Organisation } from '@estate/config';
import { organisationRoles } from '@estate/iam';
import { concreteRequests, estateOf, isProductRole, simulate, stackRequests, type Decision, type Estate, type Request } from './check';
import { COMMAND_PERMISSIONS, commandKey, findCommands, type CommandFacts, type CommandPermission, type FoundCommand, type Sender } from './commands';
import { resourcesOf, type StackModel } from './model';
import type { Facts } from './resource-actions';
import type { SynthStack } from './synthesized';

export interface PermissionReport {
  readonly app: string;
  readonly decisions: readonly Decision[];
  /** Table gaps: types without an entry, actions without an ARN, commands without a permission. */
  readonly problems: readonly string[];
  /** Stacks applied by a role the product does not define (an administrator's bootstrap role). */
  readonly notSimulated: readonly string[];
  readonly assumptions: readonly string[];
  /** Per role: exact actions its identity policies grant that no resource or command needs. */
  readonly drift: ReadonlyMap<string, readonly string[]>;
}

export interface CheckInput {
  readonly organisation: Organisation;
  readonly workspaceRoot: string;
  /** Every app, synthesized for apply (deploy roles). */
  readonly deploy: readonly SynthStack[];
  /** Every app, synthesized with ESTATE_ROLE=plan. */
  readonly plan: readonly SynthStack[];
  /** The SDK commands found in the sources. @default findCommands(workspaceRoot) */
  readonly commands?: readonly FoundCommand[];
}

export function factsOf(organisation: Organisation): Facts {
  return { legacyAccountId: organisation.accountId('legacy'), legacyVpcId: organisation.legacy.vpcId };
}

/** Runs the permission check for one app: its stacks (apply and plan), and for environments the runner's and checks' commands. */
export async function checkApp(app: string, input: CheckInput): Promise<PermissionReport> {
  const facts = factsOf(input.organisation);
  const estate = estateOf(input.deploy, facts);
  const planEstate = estateOf(input.plan, facts);
  const problems: string[] = [];
  const notSimulated: string[] = [];
  const byRole = new Map<string, Request[]>();
  const all: { estate: Estate; requests: Request[] }[] = [];

  for (const [mode, est] of [['deploy', estate], ['plan', planEstate]] as const) {
    const requests: Request[] = [];
    for (const stack of est.stacks.filter((s) => s.app === app)) {
      const applier = stack.defaultProvider.roleArn;
      if (!isProductRole(est, applier)) {
        if (mode === 'deploy') notSimulated.push(`${stack.name}: applied by ${applier}, an administrator's bootstrap role the product does not define`);
        continue;
      }
      const { requests: r, unknownTypes } = stackRequests(est, stack, mode);
      for (const t of unknownTypes) problems.push(`${stack.name} uses ${t}, which the resource table (tools/permissions/src/resource-actions.ts) lacks`);
      requests.push(...r.map((x) => ({ ...x, why: `${mode === 'plan' ? '[plan] ' : ''}${x.why}` })));
    }
    all.push({ estate: est, requests });
  }

  if (isEnvironmentName(app)) {
    const { requests, problems: p } = commandRequests(app, input, estate);
    problems.push(...p);
    all[0].requests.push(...requests);
  }
  if (app === 'backend-bootstrap') all[0].requests.push(...trustRequests(input.organisation));

  const decisions: Decision[] = [];
  const assumptions = new Set<string>();
  for (const { estate: est, requests } of all) {
    const concrete = await concreteRequests(requests);
    problems.push(...concrete.problems);
    const result = await simulate(est, concrete.requests);
    decisions.push(...result.decisions);
    result.assumptions.forEach((a) => assumptions.add(a));
    for (const d of result.decisions) byRole.set(d.request.roleArn, [...(byRole.get(d.request.roleArn) ?? []), d.request]);
  }
  return { app, decisions, problems: [...new Set(problems)], notSimulated, assumptions: [...assumptions], drift: drift(estate, planEstate, byRole) };
}

function commandFacts(environment: string, input: CheckInput, estate: Estate): CommandFacts {
  const org = input.organisation;
  const env = org.environment(environment);
  const stackNamed = (name: string): StackModel | undefined => estate.stacks.find((s) => s.name === name);
  const resources = (name: string, type: string) => (stackNamed(name) ? resourcesOf(stackNamed(name) as StackModel).filter((r) => r.type === type && r.mode === 'resource') : []);
  const ledgerTable = resources('ops-migration-ledger', 'aws_dynamodb_table')[0];
  const ledgerKey = resources('ops-migration-ledger', 'aws_kms_key')[0];
  const legacy = org.legacy.databases[0];
  const prefix = env.naming.prefix;
  const dmsSecrets = resources(`${prefix}data`, 'aws_secretsmanager_secret').map((r) => estate.resolver.arn(r));
  const task = resources(`${prefix}data`, 'aws_dms_replication_task')[0];
  const cutover = resources(`${prefix}cutover`, 'aws_route53_record').filter((r) => r.provider.alias === 'legacy');
  return {
    region: org.region,
    environment,
    prefix,
    accountId: env.accountId,
    opsAccountId: org.accountId('ops'),
    legacyAccountId: org.accountId('legacy'),
    stateBucket: env.state.bucket,
    deployRoleArn: env.deployRoleArn,
    legacyRoleArn: org.legacyRoleArn(env.role),
    ledgerTableArn: ledgerTable ? estate.resolver.arn(ledgerTable) : 'missing-ledger-table',
    ledgerKeyArn: ledgerKey ? estate.resolver.arn(ledgerKey) : 'missing-ledger-key',
    legacy: { instance: legacy.instanceIdentifier, snapshot: snapshotIdentifierFor(legacy, environment), secretName: legacy.secretName, shareKey: legacy.shareKmsKey },
    recordNames: [...new Set(cutover.map((r) => estate.resolver.string(r.config.name, r.stack).replace(/\.$/, '').toLowerCase()))],
    dmsTaskArn: task ? estate.resolver.arn(task) : `arn:aws:dms:${org.region}:${env.accountId}:task:MISSING`,
    dmsSecretArns: dmsSecrets.length ? dmsSecrets : ['missing-dms-secret'],
    masterSecretArn: `arn:aws:secretsmanager:${org.region}:${env.accountId}:secret:rds!db-0000-AbCdEf`,
    externalId: org.iam.externalId,
  };
}

/** The roles a sender stands for in `environment`: CI and operator for the first hop. */
function senders(sender: Sender, f: CommandFacts, organisation: Organisation): string[] {
  if (sender === 'deploy') return [f.deployRoleArn];
  if (sender === 'legacy') return [f.legacyRoleArn];
  const roles = organisationRoles(organisation);
  return [roles.ciRoleArn, roles.operatorRoleArn];
}

export function commandRequests(environment: string, input: CheckInput, estate: Estate): { requests: Request[]; problems: string[] } {
  const found = input.commands ?? findCommands(input.workspaceRoot);
  const f = commandFacts(environment, input, estate);
  const requests: Request[] = [];
  const problems: string[] = [];
  for (const command of found) {
    const entry = COMMAND_PERMISSIONS[commandKey(command)];
    if (!entry) {
      problems.push(`${command.files.join(', ')} sends ${command.command} (${command.client}), which tools/permissions/src/commands.ts COMMAND_PERMISSIONS lacks: add '${commandKey(command)}' with its IAM action and sender`);
      continue;
    }
    for (const permission of ([] as CommandPermission[]).concat(entry as CommandPermission | CommandPermission[])) {
      if (permission.needs === 'none') continue;
      for (const roleArn of senders(permission.sender, f, input.organisation)) {
        const operatorMfa: Record<string, string> = roleArn.endsWith(`:role/${input.organisation.iam.operatorRoleName}`) ? { 'aws:MultiFactorAuthPresent': 'true' } : {};
        for (const p of [permission, ...(permission.also ?? [])]) {
          requests.push({
            roleArn,
            action: p.action,
            resource: JSON.stringify({ action: p.action, arns: p.arns?.(f) ?? {} }),
            context: { ...operatorMfa, ...(p.context?.(f) ?? {}) },
            why: `${command.project} ${command.command} (${command.files[0]})`,
          });
        }
      }
    }
  }
  return { requests, problems };
}

/**
 * The role chains every run depends on, simulated against the trust policies the stacks
 * render (the role's trust is the resource policy of sts:AssumeRole): CI and operators
 * into every deploy and plan role, pull requests into plan roles, each environment's
 * deploy and plan role into its own legacy role.
 */
export function trustRequests(organisation: Organisation): Request[] {
  const roles = organisationRoles(organisation);
  const externalId = { 'sts:ExternalId': organisation.iam.externalId };
  const mfa = { ...externalId, 'aws:MultiFactorAuthPresent': 'true' };
  const out: Request[] = [];
  const assume = (from: string, to: string, context: Record<string, string>, why: string) =>
    out.push({ roleArn: from, action: 'sts:AssumeRole', resource: to, context, why: `trust ${why}` });
  for (const account of ['ops', ...ENVIRONMENT_NAMES] as const) {
    assume(roles.ciRoleArn, roles.deployRoleArns[account], externalId, `CI → ${account} deploy`);
    assume(roles.operatorRoleArn, roles.deployRoleArns[account], mfa, `operator → ${account} deploy`);
    assume(roles.ciRoleArn, roles.planRoleArns[account], externalId, `CI → ${account} plan`);
    assume(roles.pullRequestRoleArn, roles.planRoleArns[account], externalId, `pull request → ${account} plan`);
  }
  for (const env of ENVIRONMENT_NAMES) {
    assume(roles.deployRoleArns[env], roles.legacyMigrationRoleArns[env], externalId, `${env} deploy → ${env} legacy migration`);
    assume(roles.planRoleArns[env], roles.legacyPlanRoleArns[env], externalId, `${env} plan → ${env} legacy plan`);
  }
  return out;
}

/** Exact actions a role's identity policies grant that no simulated request used (wildcard grants are counted, not listed). */
function drift(estate: Estate, planEstate: Estate, byRole: ReadonlyMap<string, readonly Request[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [roleArn, requests] of byRole) {
    const role = estate.roles.get(roleArn) ?? planEstate.roles.get(roleArn);
    if (!role) continue;
    const used = new Set(requests.map((r) => r.action.toLowerCase()));
    const granted = new Set<string>();
    for (const { policy } of role.identityPolicies) {
      for (const s of policy.Statement ?? []) {
        if (s.Effect !== 'Allow') continue;
        for (const a of ([] as string[]).concat(s.Action ?? [])) if (!a.includes('*')) granted.add(a);
      }
    }
    out.set(roleArn, [...granted].filter((a) => !used.has(a.toLowerCase())).sort());
  }
  return out;
}
