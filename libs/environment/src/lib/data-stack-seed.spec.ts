import { Testing } from 'cdktf';
import { exampleOrganisationInput, Organisation } from '@estate/config';
import { EnvironmentStacks } from './environment-stacks';

/* eslint-disable @typescript-eslint/no-explicit-any */
const values = (json: any, type: string): any[] => Object.values(json.resource?.[type] ?? {});

/** dev with `migration.data` set to `data` (the rest of the example unchanged). */
function synthDev(data: 'seed' | 'empty') {
  const input = exampleOrganisationInput() as Record<string, any>;
  input.environments.dev.overrides.migration.data = data;
  input.databases[0].seedFile = 'seeds/ledger.sql';
  const organisation = Organisation.fromInput(input);
  const stacks = new EnvironmentStacks(Testing.app(), { environment: organisation.environment('dev'), organisation });
  return { data: JSON.parse(Testing.synth(stacks.data, true)), app: JSON.parse(Testing.synth(stacks.app, true)) };
}

describe.each(['seed', 'empty'] as const)("DataStack for an environment that gets '%s' data", (data) => {
  const dev = synthDev(data);

  it('creates a fresh database: no snapshot copies, no restore, no DMS, no CDC variable, no legacy rules', () => {
    expect(dev.data.resource.aws_db_snapshot_copy).toBeUndefined();
    expect(dev.data.resource.aws_dms_replication_task).toBeUndefined();
    expect(dev.data.resource.aws_dms_replication_instance).toBeUndefined();
    expect(dev.data.variable).toBeUndefined();
    const [instance] = values(dev.data, 'aws_db_instance');
    expect(instance).toMatchObject({ identifier: 'dev-ledger', db_name: 'ledger' });
    expect(instance.snapshot_identifier).toBeUndefined();
    // Nothing reaches legacy: no reverse-replication ingress, no egress to the legacy VPC.
    const rules = [...values(dev.data, 'aws_vpc_security_group_ingress_rule'), ...values(dev.data, 'aws_vpc_security_group_egress_rule')];
    expect(rules.filter((r) => r.cidr_ipv4 === '10.50.0.0/16')).toEqual([]);
    expect(values(dev.data, 'aws_secretsmanager_secret').map((s) => s.name)).toEqual([]);
  });

  it('points the services at the new database from the start (no runner-owned connection secret)', () => {
    const definition = values(dev.app, 'aws_ecs_task_definition')[0];
    const container = JSON.parse(definition.container_definitions)[0];
    expect(container.environment).toEqual(expect.arrayContaining([{ name: 'DB_NAME', value: 'ledger' }]));
    expect(container.secrets.map((s: any) => s.name).sort()).toEqual(['DB_PASSWORD', 'DB_USERNAME']);
  });
});
