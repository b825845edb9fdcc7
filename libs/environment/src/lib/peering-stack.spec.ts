/* eslint-disable @typescript-eslint/no-explicit-any */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { Organisation, exampleOrganisationInput, loadOrganisation, type OrganisationInput, type PeeringConfig } from '@estate/config';
import { EnvironmentStacks } from './environment-stacks';
import { NetworkStack } from './network-stack';
import { PeeringStack } from './peering-stack';

type Env = 'dev' | 'staging' | 'prod';
const CIDR = { dev: '10.0.0.0/16', staging: '10.1.0.0/16', prod: '10.2.0.0/16', legacy: '10.50.0.0/16' } as const;

/** What `buildDevApp` / `buildStagingApp` / `buildProdApp` build: the environment's stacks in one app. */
function environmentApp(env: Env, input: unknown = exampleOrganisationInput()) {
  const organisation = Organisation.fromInput(input);
  const app = Testing.app();
  const stacks = new EnvironmentStacks(app, { environment: organisation.environment(env), organisation });
  // As app.synth() does first: turns references between stacks into outputs and remote state.
  app.node.findAll().filter(TerraformStack.isStack).forEach((stack) => stack.prepareStack());
  return { organisation, app, stacks };
}

/** Validations on: the guardrail pack runs as in `nx run <env>:synth`. */
const synth = (stack: TerraformStack): any => JSON.parse(Testing.synth(stack, true));

const all = (json: any, type: string): any[] => Object.values(json.resource?.[type] ?? {});

/** Routes, SG rules and access groups of one peering (`peering-<peer>`) in the stack's JSON. */
function peeringParts(json: any, peer: string) {
  const prefix = `peering-${peer}_`;
  const pick = (type: string) => Object.entries<any>(json.resource?.[type] ?? {}).filter(([name]) => name.startsWith(prefix));
  return {
    connection: pick('aws_vpc_peering_connection'),
    accepter: pick('aws_vpc_peering_connection_accepter'),
    options: pick('aws_vpc_peering_connection_options'),
    routes: pick('aws_route'),
    ingress: pick('aws_vpc_security_group_ingress_rule'),
    egress: pick('aws_vpc_security_group_egress_rule'),
    groups: pick('aws_security_group'),
  };
}

describe('PeeringStack', () => {
  describe('staging (owns staging <-> dev and staging <-> legacy)', () => {
    const { stacks } = environmentApp('staging');
    const json = synth(stacks.peering as PeeringStack);

    it('requests one peering per owned matrix entry and outputs their ids', () => {
      expect([...(stacks.peering as PeeringStack).peerings.keys()].sort()).toEqual(['dev', 'legacy']);
      expect(all(json, 'aws_vpc_peering_connection')).toHaveLength(2);
      expect(Object.keys(json.output).sort()).toEqual(
        ['dev_peer_access_security_group_id', 'dev_peering_connection_id', 'legacy_peer_access_security_group_id', 'legacy_peering_connection_id'],
      );
    });

    it('routes dev on staging’s private and data tables, and staging on dev’s looked-up tables through the dev provider', () => {
      const { routes, accepter, connection } = peeringParts(json, 'dev');
      expect(connection[0][1]).toMatchObject({ peer_owner_id: '333333333333', peer_region: 'us-east-1' });
      expect(accepter[0][1]).toMatchObject({ provider: 'aws.dev', auto_accept: true });
      const staging = routes.filter(([, r]) => r.provider === 'aws');
      const dev = routes.filter(([, r]) => r.provider === 'aws.dev');
      // Two private tables (one per AZ) and the data table; each from the network stack.
      expect(staging).toHaveLength(3);
      for (const [, r] of staging) {
        expect(r.destination_cidr_block).toBe(CIDR.dev);
        expect(r.route_table_id).toMatch(/^\$\{data\.terraform_remote_state\./);
      }
      expect(dev).toHaveLength(1);
      expect(dev[0][1]).toMatchObject({ destination_cidr_block: CIDR.staging, route_table_id: '${each.value}' });
      const tables = Object.entries<any>(json.data.aws_route_tables).find(([, d]) => d.provider === 'aws.dev');
      expect(tables?.[1].filter).toEqual([{ name: 'tag:Tier', values: ['private', 'data'] }]);
      const vpc = Object.values<any>(json.data.aws_vpc).find((d) => d.provider === 'aws.dev');
      expect(vpc).toMatchObject({ cidr_block: CIDR.dev, filter: [{ name: 'tag:Name', values: ['dev-vpc'] }] });
    });

    it('opens 443 and 5432 between the two CIDRs only, both directions, on both sides', () => {
      const { ingress, egress, groups } = peeringParts(json, 'dev');
      expect(groups.map(([, g]) => [g.provider, g.name]).sort()).toEqual([
        ['aws', 'staging-peer-staging-to-dev'],
        ['aws.dev', 'staging-peer-dev-to-staging'],
      ]);
      const summary = (rules: [string, any][]) => rules.map(([, r]) => `${r.provider} ${r.cidr_ipv4} ${r.from_port}-${r.to_port}`).sort();
      const expected = [`aws ${CIDR.dev}`, `aws.dev ${CIDR.staging}`].flatMap((side) => [443, 5432].map((p) => `${side} ${p}-${p}`)).sort();
      expect(summary(ingress)).toEqual(expected);
      expect(summary(egress)).toEqual(expected);
      for (const [, r] of [...ingress, ...egress]) expect(r.description).toMatch(/^TCP \d+ (from|to) (dev|staging) 10\.[01]\.0\.0\/16 over VPC peering/);
    });

    it('accepts the legacy side through the legacy provider, routing every legacy table and admitting staging on the legacy database groups', () => {
      const { accepter, routes, ingress, groups } = peeringParts(json, 'legacy');
      expect(accepter[0][1].provider).toBe('aws.legacy');
      const legacyRoutes = routes.filter(([, r]) => r.provider === 'aws.legacy');
      expect(legacyRoutes).toHaveLength(1);
      expect(legacyRoutes[0][1]).toMatchObject({ destination_cidr_block: CIDR.staging, for_each: expect.stringContaining('data.aws_route_tables.') });
      const admitted = ingress.filter(([, r]) => r.provider === 'aws.legacy');
      expect(admitted).toHaveLength(1);
      expect(admitted[0][1]).toMatchObject({
        cidr_ipv4: CIDR.staging,
        from_port: 5432,
        to_port: 5432,
        for_each: expect.stringMatching(/^\$\{toset\(data\.aws_db_instance\.[^.]+\.vpc_security_groups\)\}$/),
      });
      // The legacy role cannot create groups: the only group created is staging's own.
      expect(groups.map(([, g]) => g.provider)).toEqual(['aws']);
      const instance = Object.values<any>(json.data.aws_db_instance)[0];
      expect(instance).toMatchObject({ provider: 'aws.legacy', db_instance_identifier: 'legacy-ledger' });
      expect(Object.values<any>(json.data.aws_vpc).find((d) => d.provider === 'aws.legacy')).toMatchObject({ id: 'vpc-0a1b2c3d4e5f60718', cidr_block: CIDR.legacy });
    });

    it('never routes a default route through a peering', () => {
      expect(all(json, 'aws_route').map((r) => r.destination_cidr_block)).not.toContain('0.0.0.0/0');
    });
  });

  describe('denied pairs get nothing', () => {
    it('prod peers with legacy only: no route, rule or provider towards dev or staging', () => {
      const { stacks } = environmentApp('prod');
      const peering = stacks.peering as PeeringStack;
      expect([...peering.peerings.keys()]).toEqual(['legacy']);
      const json = synth(peering);
      const text = JSON.stringify(json);
      for (const denied of [CIDR.dev, CIDR.staging]) expect(text).not.toContain(denied);
      expect(json.provider.aws.map((p: any) => p.alias ?? 'default').sort()).toEqual(['default', 'legacy']);
      expect(all(json, 'aws_vpc_peering_connection')).toHaveLength(1);
      const network = synth(stacks.network);
      expect(all(network, 'aws_vpc_peering_connection')).toEqual([]);
      // Public + three private default routes; nothing towards another VPC.
      expect(all(network, 'aws_route').map((r) => r.destination_cidr_block)).toEqual(['0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0']);
    });

    it('dev owns only its legacy peering; staging <-> dev is staging’s to create', () => {
      const { stacks } = environmentApp('dev');
      const peering = stacks.peering as PeeringStack;
      expect([...peering.peerings.keys()]).toEqual(['legacy']);
      const text = JSON.stringify(synth(peering));
      expect(text).not.toContain(CIDR.staging);
      expect(text).not.toContain(CIDR.prod);
    });

    it('a matrix without prod <-> legacy leaves prod with no peering stack at all', () => {
      const input = exampleOrganisationInput() as any;
      input.peering = input.peering.filter((p: PeeringConfig) => !p.between.includes('prod'));
      const { stacks } = environmentApp('prod', input);
      expect(stacks.peering).toBeUndefined();
    });

    it('a preview copy is isolated: no peering stack', () => {
      const organisation = Organisation.fromInput(exampleOrganisationInput(), { environmentSuffix: 'pr7' });
      const stacks = new EnvironmentStacks(Testing.app(), { environment: organisation.environment('dev'), organisation });
      expect(stacks.peering).toBeUndefined();
    });
  });

  describe('bad matrices fail with a clear message', () => {
    function peeringStack(peerings: PeeringConfig[], input: OrganisationInput = exampleOrganisationInput() as OrganisationInput) {
      const organisation = Organisation.fromInput(input);
      const app = Testing.app();
      const environment = organisation.environment('staging');
      const network = new NetworkStack(app, 'network', { environment, organisation });
      return new PeeringStack(app, 'peering', { environment, organisation, network, peerings });
    }

    it('rejects an unknown environment', () => {
      expect(() => peeringStack([{ between: ['staging', 'qa' as 'dev'], ports: [443], reason: 'test' }])).toThrow(
        "staging-peering: peering staging <-> qa: 'qa' is not a known peer; expected an environment name or 'legacy'",
      );
    });

    it('rejects an entry this environment does not own', () => {
      expect(() => peeringStack([{ between: ['prod', 'staging'], ports: [443], reason: 'test' }])).toThrow(
        'staging-peering: peering prod <-> staging is owned by prod (the side deployed later), not staging',
      );
      expect(() => peeringStack([{ between: ['dev', 'legacy'], ports: [5432], reason: 'test' }])).toThrow(/does not involve staging/);
    });

    it('rejects legacy ports that no legacy database listens on', () => {
      expect(() => peeringStack([{ between: ['staging', 'legacy'], ports: [443], reason: 'test' }])).toThrow(
        /peering staging <-> legacy allows port\(s\) 443, but no legacy database listens on them \(ledger:5432\)/,
      );
    });

    it('rejects a matrix naming an unknown environment or an overlapping CIDR when the organisation is loaded', () => {
      const dir = mkdtempSync(join(tmpdir(), 'org-'));
      const write = (input: unknown) => {
        const path = join(dir, `org-${Math.random().toString(36).slice(2)}.json`);
        writeFileSync(path, JSON.stringify(input, null, 2));
        return path;
      };
      const unknown = exampleOrganisationInput() as any;
      unknown.peering = [...unknown.peering, { between: ['qa', 'dev'], ports: [443], reason: 'test' }];
      expect(() => loadOrganisation({ env: { ORG_CONFIG: write(unknown) } })).toThrow(/peering\.4\.between\.0: 'qa' is not a known peer/);
      const overlapping = exampleOrganisationInput() as any;
      overlapping.legacy.vpcCidr = '10.1.0.0/16';
      expect(() => loadOrganisation({ env: { ORG_CONFIG: write(overlapping) } })).toThrow(/overlaps/);
    });

    it('rejects overlapping CIDRs in the peering itself, naming both', () => {
      // The organisation model rejects this too; the construct holds on its own for callers that bypass it.
      const organisation = Organisation.fromInput(exampleOrganisationInput());
      const environment = { ...organisation.environment('staging'), vpcCidr: '10.50.0.0/16' };
      const app = Testing.app();
      const network = new NetworkStack(app, 'network', { environment, organisation });
      expect(
        () => new PeeringStack(app, 'peering', { environment, organisation, network, peerings: [{ between: ['staging', 'legacy'], ports: [5432], reason: 'test' }] }),
      ).toThrow("staging's CIDR 10.50.0.0/16 overlaps legacy's 10.50.0.0/16; AWS cannot route a peering between overlapping CIDRs");
    });
  });
});
