/**
 * The schema's messages at their edges: how values are named, when a hint says how to
 * write a value of the right content but the wrong JSON type (and when it must not), and
 * how a missing key points at its misspelling only at its own level.
 */
import { describeValue, organisationJsonSchema, schemaIssues } from './schema';
import { exampleOrganisationInput as exampleInput } from './test-fixtures';

type Example = ReturnType<typeof exampleInput>;

/** The issues of the example after `mutate`, as `{ path: message }`. */
function issuesAfter(mutate: (o: Example) => void): Record<string, string> {
  const input = exampleInput();
  mutate(input);
  return Object.fromEntries(schemaIssues(input).map((i) => [i.path, i.message]));
}

describe('published JSON Schema', () => {
  // First in this file: later tests fill the schema's cache through the key suggestions.
  it('is draft-07, titled, and built once', () => {
    const schema = organisationJsonSchema();
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['title']).toBe('Estate migration: organisation config');
    expect(schema['description']).toBe('The organisation config of the estate migration (see README: Point it at your organisation)');
    expect(organisationJsonSchema()).toBe(schema);
  });
});

describe('describeValue', () => {
  it('names each kind of value', () => {
    expect([undefined, null, [1], 'dev', '', {}, 3, false].map(describeValue)).toEqual([
      'missing',
      'null',
      'a list',
      "'dev'",
      "''",
      'an object',
      'number 3',
      'boolean false',
    ]);
  });
});

describe('type hints', () => {
  it('asks to drop the quotes around a number, trimmed, and only when it is one', () => {
    expect(
      issuesAfter((o) => {
        o.defaults.alarms = {
          alb5xxPercent: '5',
          unhealthyHosts: ' 3 ',
          serviceCpuPercent: '',
          databaseCpuPercent: '  ',
          serviceMemoryPercent: 'true',
          databaseConnections: 'ten',
        };
      }),
    ).toEqual({
      'defaults.alarms.alb5xxPercent': "is the string '5'; expected a number from 0 to 100 (write 5 without quotes)",
      'defaults.alarms.unhealthyHosts': "is the string ' 3 '; expected a whole number from 0 to 1000 (write 3 without quotes)",
      'defaults.alarms.serviceCpuPercent': "is the string ''; expected a whole number from 1 to 100",
      'defaults.alarms.databaseCpuPercent': "is the string '  '; expected a whole number from 1 to 100",
      'defaults.alarms.serviceMemoryPercent': "is the string 'true'; expected a whole number from 1 to 100",
      'defaults.alarms.databaseConnections': "is the string 'ten'; expected a whole number from 1 to 100000",
    });
  });

  it('asks to drop the quotes around exactly true or false, trimmed, and nothing else', () => {
    expect(
      issuesAfter((o) => {
        o.defaults.network = { interfaceEndpoints: ' true ' };
        o.defaults.database = { multiAz: 'nottrue', deletionProtection: 'falsely', skipFinalSnapshot: '1' };
        o.environments.dev.allowPreviews = 1;
        o.environments.prod.allowPreviews = 'false';
      }),
    ).toEqual({
      'defaults.network.interfaceEndpoints': "is the string ' true '; expected true or false (write true without quotes)",
      'defaults.database.multiAz': "is the string 'nottrue'; expected true or false",
      'defaults.database.deletionProtection': "is the string 'falsely'; expected true or false",
      'defaults.database.skipFinalSnapshot': "is the string '1'; expected true or false",
      'environments.dev.allowPreviews': 'is number 1; expected true or false',
      'environments.prod.allowPreviews': "is the string 'false'; expected true or false (write false without quotes)",
    });
  });

  it('asks for quotes around a number or a boolean where text is expected, and for nothing else', () => {
    expect(
      issuesAfter((o) => {
        o.github.deployBranch = true;
        o.github.repository = 42;
        o.legacy.vpcId = null;
        o.legacy.hostedZoneName = ['fintech.example.com'];
      }),
    ).toEqual({
      'github.deployBranch': 'is boolean true; expected a branch name (put it in quotes: "true")',
      'github.repository': "is number 42; expected 'owner/repository' (put it in quotes: \"42\")",
      'legacy.vpcId': 'is null; expected a VPC id such as vpc-0a1b2c3d4e5f60718',
      'legacy.hostedZoneName': 'is a list; expected a DNS zone name such as fintech.example.com',
    });
  });

  it('names an object where a value is expected', () => {
    expect(issuesAfter((o) => (o.region = { name: 'us-east-1' }))).toEqual({ region: 'is an object; expected an AWS region such as us-east-1' });
  });
});

describe('a missing key and its misspelling', () => {
  it('points a missing nested key at the misspelt key beside it', () => {
    const input = exampleInput();
    input.tags.costCentre = input.tags.costCenter;
    delete input.tags.costCenter;
    expect(schemaIssues(input)).toEqual([
      {
        path: 'tags.costCenter',
        at: 'tags.costCentre',
        message: "is missing; expected a tag value: 1-256 letters, digits, spaces and _ . : / = + - @, not starting or ending with a space (is 'costCentre' a misspelling of it?)",
      },
      { path: 'tags.costCentre', message: "unknown key; did you mean 'costCenter'?" },
    ]);
  });

  it('does so three levels down', () => {
    const input = exampleInput();
    input.environments.prod.vpcCdir = input.environments.prod.vpcCidr;
    delete input.environments.prod.vpcCidr;
    expect(schemaIssues(input)).toEqual([
      {
        path: 'environments.prod.vpcCidr',
        at: 'environments.prod.vpcCdir',
        message: "is missing; expected an IPv4 CIDR block such as 10.0.0.0/16 (is 'vpcCdir' a misspelling of it?)",
      },
      { path: 'environments.prod.vpcCdir', message: "unknown key; did you mean 'vpcCidr'?" },
    ]);
  });

  it('never takes a misspelling at another level or in another object for it', () => {
    const input = exampleInput();
    delete input.name;
    delete input.services[0].name;
    input.databases[0].nmae = input.databases[0].name;
    delete input.databases[0].name;
    expect(schemaIssues(input)).toEqual([
      { path: 'name', message: 'is missing; expected a lowercase organisation slug (letters, digits, dashes)' },
      { path: 'services.0.name', message: 'is missing; expected a lowercase name of 1-15 letters and digits' },
      {
        path: 'databases.0.name',
        at: 'databases.0.nmae',
        message: "is missing; expected a lowercase name of 1-15 letters and digits (is 'nmae' a misspelling of it?)",
      },
      { path: 'databases.0.nmae', message: "unknown key; did you mean 'name'?" },
    ]);
  });

  it('leaves a key that is present but wrong alone, even beside a near miss of it', () => {
    const input = exampleInput();
    input.region = 'virginia';
    input.regoin = 'us-east-1';
    const issues = schemaIssues(input);
    expect(issues.find((i) => i.path === 'region')).toEqual({ path: 'region', message: expect.stringMatching(/^'virginia' is not an AWS region; expected one of .*us-west-2$/) });
    expect(issues.find((i) => i.path === 'regoin')).toEqual({ path: 'regoin', message: "unknown key; did you mean 'region'?" });
    expect(issues).toHaveLength(2);
  });
});
