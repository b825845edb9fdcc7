import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { STSClient } from '@aws-sdk/client-sts';
import { join } from 'node:path';
import { REQUIRED_TAG_KEYS } from '@estate/tagging';
import { isEnvironmentName, loadOrganisation, ENVIRONMENT_NAMES } from '@estate/config';
import { checkCredentials as realCheckCredentials, PreflightError } from '@estate/deploy';
import { checkDatabase } from './checks/database';
import { checkDeployRole, type AssumedCredentials } from './checks/deploy-role';
import { checkEcsService } from './checks/ecs-service';
import { checkLoadBalancer } from './checks/load-balancer';
import { checkPeering } from './checks/peering';
import { checkRequiredTags } from './checks/required-tags';
import { probe as realProbe, type HttpProbe } from './http-probe';
import { outputsOf, readFlatOutputs, resolveOutputs, type EnvironmentOutputs } from './outputs';
import { exitCodeFor, formatTable } from './report';
import { fail, type CheckRow } from './types';

/** Clients in the environment account (through the assumed deploy role). */
export interface EnvironmentClients {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly rds: RDSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly tagging: ResourceGroupsTaggingAPIClient;
}

export interface VerifyDeps {
  /** STS with the caller's (ops) credentials. */
  readonly sts: STSClient;
  /** Clients for the environment account, given the deploy role's credentials. */
  readonly clientsFor: (credentials: AssumedCredentials) => EnvironmentClients;
  /** @default the real HTTP(S) probe */
  readonly probe?: HttpProbe;
  /** @default 443/80 */
  readonly ports?: { readonly https: number; readonly http: number };
  /** Extra trusted CA (tests). */
  readonly ca?: string;
}

export interface VerifyTarget {
  readonly outputs: EnvironmentOutputs;
  readonly deployRoleArn: string;
  readonly externalId: string;
  readonly opsAccountId: string;
  /** Preview suffix, for the tag search. */
  readonly suffix?: string;
}

/** Runs every check and returns the rows; never throws for a failed check. */
export async function verifyEnvironment(target: VerifyTarget, deps: VerifyDeps): Promise<CheckRow[]> {
  const { outputs } = target;
  const rows: CheckRow[] = outputs.missing.map((m) => fail('outputs', m.what, `not in flat-outputs.json: expected ${m.expected}`));
  const role = await checkDeployRole({ roleArn: target.deployRoleArn, externalId: target.externalId, opsAccountId: target.opsAccountId }, deps.sts);
  rows.push(role.row);
  if (!role.credentials) {
    rows.push(fail('environment', outputs.qualifier, `not checked: no credentials in the ${outputs.environment} account without the deploy role`));
    return rows;
  }
  const clients = deps.clientsFor(role.credentials);
  const probe = deps.probe ?? realProbe;
  const groups = await Promise.all([
    ...outputs.services.map((s) => checkLoadBalancer(s, { elbv2: clients.elbv2, probe, ports: deps.ports, ca: deps.ca })),
    ...outputs.services.map(async (s) => [await checkEcsService(s, clients.ecs)]),
    ...outputs.databases.map(async (d) => [await checkDatabase(d, clients.rds)]),
    ...outputs.peerings.map((p) => checkPeering(p, outputs.vpcId, clients.ec2)),
    checkRequiredTags(
      { environment: outputs.environment, suffix: target.suffix, requiredKeys: REQUIRED_TAG_KEYS, knownArns: outputs.arns },
      clients.tagging,
    ),
  ]);
  return [...rows, ...groups.flat()];
}

export interface IntegrationOptions {
  /** Nx project name: dev, staging or prod. */
  readonly app: string;
  readonly workspaceRoot: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default console.log */
  readonly log?: (line: string) => void;
  /** @default preflight's checkCredentials (STS GetCallerIdentity) */
  readonly checkCredentials?: (env: NodeJS.ProcessEnv) => Promise<{ arn: string } | string>;
  /** @default real SDK clients in the organisation's region */
  readonly deps?: VerifyDeps;
}

/**
 * `nx run <app>:integration`: reads the app's outputs file, confirms credentials, runs every
 * check and prints the table. Returns the exit code; throws PreflightError (outputs file or
 * credentials missing) before touching AWS.
 */
export async function runIntegration(options: IntegrationOptions): Promise<number> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  if (!isEnvironmentName(options.app)) {
    throw new PreflightError([`'${options.app}' is not an environment app: integration checks run on ${ENVIRONMENT_NAMES.join(', ')}`]);
  }
  const organisation = loadOrganisation({ env });
  const environment = organisation.environment(options.app);
  const qualifier = environment.naming.qualifier;
  const path = join(options.workspaceRoot, 'apps', options.app, 'cfn-outputs', 'flat-outputs.json');

  const problems: string[] = [];
  let resolved: EnvironmentOutputs | undefined;
  try {
    const flat = readFlatOutputs(path, options.app);
    resolved = resolveOutputs(outputsOf(flat, qualifier, path), organisation, environment.name, qualifier, environment.isPreview, environment.domainName);
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    problems.push(...error.problems);
  }
  const credentials = await (options.checkCredentials ?? realCheckCredentials)(env);
  if (typeof credentials === 'string') problems.push(credentials);
  if (problems.length > 0 || !resolved || typeof credentials === 'string') throw new PreflightError(problems);

  log(`verifying ${qualifier} (account ${environment.accountId}) as ${credentials.arn}, outputs from ${path}\n`);
  const rows = await verifyEnvironment(
    {
      outputs: resolved,
      deployRoleArn: environment.deployRoleArn,
      externalId: organisation.iam.externalId,
      opsAccountId: organisation.accountId('ops'),
      suffix: environment.suffix,
    },
    options.deps ?? realDeps(environment.region, env),
  );
  log(formatTable(rows));
  return exitCodeFor(rows);
}

/** The AWS clients behind `runIntegration`: STS as the caller, the rest on the assumed deploy role. */
export function realDeps(region: string, env: NodeJS.ProcessEnv): VerifyDeps {
  return {
    sts: new STSClient({ region, profile: env['AWS_PROFILE'] }),
    clientsFor: (credentials) => {
      const config = { region, credentials };
      return {
        ec2: new EC2Client(config),
        ecs: new ECSClient(config),
        rds: new RDSClient(config),
        elbv2: new ElasticLoadBalancingV2Client(config),
        tagging: new ResourceGroupsTaggingAPIClient(config),
      };
    },
  };
}
