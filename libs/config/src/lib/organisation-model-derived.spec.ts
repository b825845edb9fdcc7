/**
 * What the organisation model derives from a valid config (ARNs, state backends, account
 * and environment targets, peering, lookups) and how it reports what is wrong: exact
 * values and exact messages, so a changed name or a lost check fails here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Naming } from './naming';
import { EXAMPLE_ORGANISATION_PATH, loadOrganisation, Organisation, OrganisationConfigError, type LocatedIssue } from './organisation-model';
import type { PeeringConfig } from './organisation';
import { exampleOrganisationInput as exampleInput } from './test-fixtures';

/** The OrganisationConfigError `run` throws (fails the test when it does not throw one). */
function configError(run: () => unknown): OrganisationConfigError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(OrganisationConfigError);
    return e as OrganisationConfigError;
  }
  throw new Error('expected an OrganisationConfigError');
}

const example = () => Organisation.fromInput(exampleInput());

describe('OrganisationConfigError', () => {
  it('is named, keeps its source and issues, and writes each issue as file:line:column: path: message', () => {
    const issues: LocatedIssue[] = [
      { path: 'region', message: 'bad region', severity: 'error', line: 3, column: 13 },
      { path: 'name', message: 'bad name', severity: 'error', line: 2 },
      { path: 'TEAM', message: 'bad team', severity: 'error' },
      { path: '', message: 'not an object', severity: 'error' },
    ];
    const error = new OrganisationConfigError('org.json', issues);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('OrganisationConfigError');
    expect(error.source).toBe('org.json');
    expect(error.issues).toBe(issues);
    expect(error.message).toBe(
      'Invalid organisation config (org.json): 4 problems\n' +
        '  org.json:3:13: region: bad region\n' +
        '  org.json:2: name: bad name\n' +
        '  TEAM: bad team\n' +
        '  not an object',
    );
  });

  it('says "1 problem" for one', () => {
    expect(new OrganisationConfigError('x', [{ path: 'a', message: 'b', severity: 'error' }]).message).toBe('Invalid organisation config (x): 1 problem\n  a: b');
  });
});

describe('Organisation.fromInput and fromText', () => {
  it("names the source 'organisation config' when none is given", () => {
    const input = exampleInput();
    input.name = 'X';
    const fromInput = configError(() => Organisation.fromInput(input));
    expect(fromInput.source).toBe('organisation config');
    expect(fromInput.message).toBe(
      "Invalid organisation config (organisation config): 1 problem\n  name: 'X' is not valid; expected a lowercase organisation slug (letters, digits, dashes)",
    );
    const text = JSON.stringify(input);
    const fromText = configError(() => Organisation.fromText(text));
    expect(fromText.source).toBe('organisation config');
    expect(fromText.message).toBe(
      `Invalid organisation config (organisation config): 1 problem\n  organisation config:1:${text.indexOf('"name"') + 1}: name: 'X' is not valid; expected a lowercase organisation slug (letters, digits, dashes)`,
    );
    expect(example().source).toBe('organisation config');
  });

  it('locates problems in the text fromInput is given', () => {
    const input = exampleInput();
    input.name = 'X';
    const text = JSON.stringify(input, null, 2);
    const error = configError(() => Organisation.fromInput(input, {}, 'org.json', text));
    expect(error.issues).toEqual([{ path: 'name', severity: 'error', message: "'X' is not valid; expected a lowercase organisation slug (letters, digits, dashes)", line: 3, column: 3 }]);
  });

  it('reports a text that cannot be parsed with only its syntax error, as an error with its position', () => {
    const error = configError(() => Organisation.fromText('{ "name": ', {}, 'org.json'));
    expect(error.source).toBe('org.json');
    expect(error.issues).toEqual([{ path: '', message: expect.stringMatching(/^not valid JSON: /), severity: 'error', line: 1, column: 11 }]);
  });

  it('treats an empty ENVIRONMENT_SUFFIX as no preview copy', () => {
    const org = Organisation.fromInput(exampleInput(), { environmentSuffix: '' });
    expect(org.suffix).toBeUndefined();
    expect(org.environment('prod').isPreview).toBe(false);
    expect(org.environment('dev').naming.prefix).toBe('dev-');
  });

  describe('orders problems: environment variables first, then as written in the file', () => {
    /**
     * The example with `databases` written between `name` and `region`, and all three broken:
     * validation finds them in the order name, region, databases; the file has them name, databases, region.
     */
    const reordered = () => {
      const { name: _name, region: _region, databases, ...rest } = exampleInput();
      databases[0].port = 80;
      return { name: 'X', databases, region: 'us-esat-1', ...rest };
    };
    const nameMessage = "'X' is not valid; expected a lowercase organisation slug (letters, digits, dashes)";
    const portMessage = 'is number 80; expected a whole number from 1150 to 65535';
    const regionMessage = "'us-esat-1' is not an AWS region; did you mean 'us-east-1'?";

    it('by line', () => {
      const text = JSON.stringify(reordered(), null, 2);
      const lines = text.split('\n');
      const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
      expect([lineOf('"name": "X"'), lineOf('"port": 80'), lineOf('"region"')]).toEqual([2, 8, 13]);
      const error = configError(() => Organisation.fromText(text, { team: '' }, 'org.json'));
      expect(error.issues.map((i) => [i.path, i.line, i.column, i.message])).toEqual([
        ['TEAM', undefined, undefined, "'' is empty; unset TEAM to use tags.team from the config, or give a tag value: 1-256 letters, digits, spaces and _ . : / = + - @, not starting or ending with a space"],
        ['name', 2, 3, nameMessage],
        ['databases.0.port', 8, 7, portMessage],
        ['region', 13, 3, regionMessage],
      ]);
    });

    it('by column on the same line', () => {
      const text = JSON.stringify(reordered());
      const error = configError(() => Organisation.fromText(text, { team: '' }, 'org.json'));
      const columnOf = (needle: string) => text.indexOf(needle) + 1;
      expect(columnOf('"name":"X"')).toBeLessThan(columnOf('"port":80'));
      expect(columnOf('"port":80')).toBeLessThan(columnOf('"region"'));
      expect(error.issues.map((i) => [i.path, i.line, i.column])).toEqual([
        ['TEAM', undefined, undefined],
        ['name', 1, columnOf('"name":"X"')],
        ['databases.0.port', 1, columnOf('"port":80')],
        ['region', 1, columnOf('"region"')],
      ]);
    });

    it('with problems found while reading (duplicate keys) among the others', () => {
      const { databases, ...rest } = exampleInput();
      databases[0].port = 80;
      const text = JSON.stringify({ databases, ...rest, name: 'X' }, null, 2).replace('"region": "us-east-1",', '"region": "us-east-1",\n  "region": "us-east-1",');
      const lines = text.split('\n');
      const error = configError(() => Organisation.fromText(text, {}, 'org.json'));
      expect(error.issues.map((i) => [i.path, i.line])).toEqual([
        ['databases.0.port', lines.findIndex((l) => l.includes('"port": 80')) + 1],
        ['name', lines.findIndex((l) => l.includes('"name": "X"')) + 1],
        ['region', lines.lastIndexOf('  "region": "us-east-1",') + 1],
      ]);
      expect(error.issues[2].message).toBe(`duplicate key 'region' (first at line ${lines.indexOf('  "region": "us-east-1",') + 1}); JSON would keep only this one and silently drop the other: remove one`);
    });
  });
});

describe('what the organisation derives', () => {
  it('exposes the sections of the config as written', () => {
    const input = exampleInput();
    const org = Organisation.fromInput(input);
    expect(org.name).toBe('fintech');
    expect(org.services).toEqual(input.services);
    expect(org.databases).toEqual(input.databases);
    expect(org.legacy).toEqual(input.legacy);
    expect(org.iam).toEqual(input.iam);
    expect(org.github).toEqual({ repository: 'fintech/estate-migration', deployBranch: 'main' });
  });

  it('builds the role ARNs of every account', () => {
    const org = example();
    expect(org.roleArn('ops', 'some-role')).toBe('arn:aws:iam::222222222222:role/some-role');
    expect(org.deployRoleArn('dev')).toBe('arn:aws:iam::333333333333:role/estate-deploy');
    expect(org.deployRoleArn('legacy')).toBe('arn:aws:iam::111111111111:role/estate-legacy-migration');
    expect(org.planRoleArn('prod')).toBe('arn:aws:iam::555555555555:role/estate-plan');
    expect(org.legacyRoleArn('staging')).toBe('arn:aws:iam::111111111111:role/estate-legacy-migration-staging');
    expect(org.legacyRoleArn('staging', 'deploy')).toBe('arn:aws:iam::111111111111:role/estate-legacy-migration-staging');
    expect(org.legacyRoleArn('prod', 'plan')).toBe('arn:aws:iam::111111111111:role/estate-legacy-migration-prod-plan');
    expect(org.deployBoundaryArn('ops')).toBe('arn:aws:iam::222222222222:policy/ops-deploy-boundary');
    expect(org.deployBoundaryArn('staging')).toBe('arn:aws:iam::444444444444:policy/staging-deploy-boundary');
  });

  it("bootstraps an account with its own bootstrapRoleName, else iam.bootstrapRoleName", () => {
    const input = exampleInput();
    input.accounts.legacy.bootstrapRoleName = 'LegacyAdmin';
    const org = Organisation.fromInput(input);
    expect(org.bootstrapRoleArn('legacy')).toBe('arn:aws:iam::111111111111:role/LegacyAdmin');
    expect(org.bootstrapRoleArn('dev')).toBe('arn:aws:iam::333333333333:role/OrganizationAccountAccessRole');
  });

  it('gives each state account its own bucket, lock table, key and roles', () => {
    expect(example().stateBackend('staging')).toEqual({
      bucket: 'staging-tfstate-444444444444',
      lockTable: 'staging-tfstate-lock',
      kmsKeyAlias: 'alias/staging-tfstate',
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::444444444444:role/estate-deploy',
      planRoleArn: 'arn:aws:iam::444444444444:role/estate-plan',
    });
  });

  it('targets an account without any preview suffix', () => {
    const org = Organisation.fromInput(exampleInput(), { environmentSuffix: 'pr42', team: 'payments' });
    const target = org.account('ops');
    expect(target).toEqual({
      role: 'ops',
      accountId: '222222222222',
      region: 'us-east-1',
      deployRoleArn: 'arn:aws:iam::222222222222:role/estate-deploy',
      naming: new Naming('ops'),
      tags: { Environment: 'ops', Team: 'payments', CostCenter: 'CC-1001' },
      state: {
        bucket: 'ops-tfstate-222222222222',
        lockTable: 'ops-tfstate-lock',
        kmsKeyAlias: 'alias/ops-tfstate',
        region: 'us-east-1',
        roleArn: 'arn:aws:iam::222222222222:role/estate-deploy',
        planRoleArn: 'arn:aws:iam::222222222222:role/estate-plan',
      },
    });
    expect(Object.keys(target.tags)).toEqual(['Environment', 'Team', 'CostCenter']);
  });

  it('gives an environment its account, names, tags, state, network and settings', () => {
    const { settings, ...env } = example().environment('staging');
    expect(env).toEqual({
      role: 'staging',
      name: 'staging',
      suffix: undefined,
      isPreview: false,
      tier: 'non-production',
      accountId: '444444444444',
      region: 'us-east-1',
      deployRoleArn: 'arn:aws:iam::444444444444:role/estate-deploy',
      naming: new Naming('staging'),
      tags: { Environment: 'staging', Team: 'platform', CostCenter: 'CC-1001' },
      state: example().stateBackend('staging'),
      vpcCidr: '10.1.0.0/16',
      domainName: 'staging.fintech.example.com',
    });
    expect(env.isPreview).toBe(false);
    expect(Object.keys(env.tags)).toEqual(['Environment', 'Team', 'CostCenter']);
    expect(settings.service.desiredCount).toBe(2);
    expect(settings.logs.retentionDays).toBe(30);
    expect(example().environment('prod').tier).toBe('production');
  });

  describe('environment names and preview copies', () => {
    it('rejects an unknown environment name, listing the known ones', () => {
      const error = configError(() => example().environment('qa'));
      expect(error.source).toBe('organisation config');
      expect(error.issues).toEqual([{ path: 'environment', severity: 'error', message: "'qa' is not a known environment; expected one of dev, staging, prod" }]);
    });

    it('refuses a preview copy of prod by default (allowPreviews unset)', () => {
      const input = exampleInput();
      delete input.environments.prod.allowPreviews;
      const org = Organisation.fromInput(input, { environmentSuffix: 'pr42' });
      const error = configError(() => org.environment('prod'));
      expect(error.issues).toEqual([
        {
          path: 'ENVIRONMENT_SUFFIX',
          severity: 'error',
          message: "'pr42' asks for a preview copy of prod, but environments.prod.allowPreviews is false; unset ENVIRONMENT_SUFFIX or allow previews explicitly",
        },
      ]);
      expect(org.environment('staging').isPreview).toBe(true);
    });

    it('follows allowPreviews when it is set: prod may allow them, dev may refuse them', () => {
      const input = exampleInput();
      input.environments.prod.allowPreviews = true;
      input.environments.dev.allowPreviews = false;
      const org = Organisation.fromInput(input, { environmentSuffix: 'pr42' });
      const prod = org.environment('prod');
      expect([prod.isPreview, prod.suffix, prod.naming.prefix]).toEqual([true, 'pr42', 'prod-pr42-']);
      expect(prod.tags).toEqual({ Environment: 'prod', Team: 'platform', CostCenter: 'CC-1001', EnvironmentSuffix: 'pr42' });
      expect(configError(() => org.environment('dev')).message).toBe(
        "Invalid organisation config (organisation config): 1 problem\n  ENVIRONMENT_SUFFIX: 'pr42' asks for a preview copy of dev, but environments.dev.allowPreviews is false; unset ENVIRONMENT_SUFFIX or allow previews explicitly",
      );
    });

    it('makes the environment itself, not a preview, when there is no suffix, even where previews are refused', () => {
      const prod = example().environment('prod');
      expect([prod.isPreview, prod.suffix, prod.naming.prefix]).toEqual([false, undefined, 'prod-']);
    });
  });

  describe('peering', () => {
    const entry = (between: [string, string]) => ({ between, ports: [443], reason: 'test' }) as unknown as PeeringConfig;

    it('lists the peerings of a peer, each with the other side', () => {
      const org = example();
      const [stagingDev, devLegacy, stagingLegacy, prodLegacy] = org.input.peering;
      expect(org.peeringsOf('dev')).toEqual([
        { other: 'staging', entry: stagingDev },
        { other: 'legacy', entry: devLegacy },
      ]);
      expect(org.peeringsOf('staging')).toEqual([
        { other: 'dev', entry: stagingDev },
        { other: 'legacy', entry: stagingLegacy },
      ]);
      expect(org.peeringsOf('legacy')).toEqual([
        { other: 'dev', entry: devLegacy },
        { other: 'staging', entry: stagingLegacy },
        { other: 'prod', entry: prodLegacy },
      ]);
      expect(org.peeringsOf('prod')).toEqual([{ other: 'legacy', entry: prodLegacy }]);
    });

    it('gives a peering to the side deployed later, whichever order it is written in, never to legacy', () => {
      const org = example();
      const owners = (
        [
          ['dev', 'staging'],
          ['staging', 'dev'],
          ['dev', 'prod'],
          ['prod', 'dev'],
          ['staging', 'prod'],
          ['prod', 'staging'],
          ['legacy', 'dev'],
          ['dev', 'legacy'],
          ['legacy', 'prod'],
          ['prod', 'legacy'],
        ] as [string, string][]
      ).map((between) => org.peeringOwner(entry(between)));
      expect(owners).toEqual(['staging', 'staging', 'prod', 'prod', 'prod', 'prod', 'dev', 'dev', 'prod', 'prod']);
    });

    it('knows the VPC range of each peer', () => {
      const org = example();
      expect((['legacy', 'dev', 'staging', 'prod'] as const).map((p) => org.vpcCidrOf(p))).toEqual(['10.50.0.0/16', '10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16']);
    });
  });

  it('finds a legacy database by name, and nothing for an unknown name', () => {
    const input = exampleInput();
    const payments = { ...input.legacy.databases[0], name: 'payments', instanceIdentifier: 'legacy-payments', databaseName: 'payments' };
    input.legacy.databases.push(payments);
    const org = Organisation.fromInput(input);
    expect(org.legacyDatabase('ledger')).toEqual(exampleInput().legacy.databases[0]);
    expect(org.legacyDatabase('payments')).toEqual(payments);
    expect(org.legacyDatabase('billing')).toBeUndefined();
  });
});

describe('loadOrganisation', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'org-derived-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** A directory holding `org.json`: the example renamed to `name`. */
  const dirWith = (name: string) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'org.json'), JSON.stringify({ ...exampleInput(), name }));
    return dir;
  };

  it('resolves a relative ORG_CONFIG from INIT_CWD, else the cwd option, else the process directory', () => {
    const fromInit = dirWith('from-init');
    const fromCwd = dirWith('from-cwd');
    expect(loadOrganisation({ env: { ORG_CONFIG: 'org.json', INIT_CWD: fromInit }, cwd: fromCwd }).name).toBe('from-init');
    expect(loadOrganisation({ env: { ORG_CONFIG: 'org.json' }, cwd: fromCwd }).name).toBe('from-cwd');
    // Jest runs from the workspace root or the project directory: name the example relative to either.
    const relativeExample = relative(process.cwd(), EXAMPLE_ORGANISATION_PATH);
    expect(loadOrganisation({ env: { ORG_CONFIG: relativeExample } }).source).toBe(join(process.cwd(), relativeExample));
  });

  it('loads the example for an empty ORG_CONFIG, and names the file it read as the source', () => {
    expect(loadOrganisation({ env: { ORG_CONFIG: '' } }).source).toBe(EXAMPLE_ORGANISATION_PATH);
  });

  it('rejects a whitespace-only ORG_CONFIG, naming the variable', () => {
    const error = configError(() => loadOrganisation({ env: { ORG_CONFIG: ' \t' } }));
    expect(error.source).toBe('ORG_CONFIG');
    expect(error.issues).toEqual([
      { path: 'ORG_CONFIG', severity: 'error', message: "' \t' is only whitespace; unset it for the example organisation, or give the path of your organisation file" },
    ]);
  });

  it('names the missing file as the source and ORG_CONFIG as the key', () => {
    const path = join(tempDir(), 'absent.json');
    const error = configError(() => loadOrganisation({ env: { ORG_CONFIG: path } }));
    expect(error.message).toBe(
      `Invalid organisation config (${path}): 1 problem\n  ORG_CONFIG: file '${path}' does not exist; point ORG_CONFIG at your organisation file, JSON or YAML (see libs/config/organisation.example.json)`,
    );
  });

  describe('a file that exists but cannot be read', () => {
    let server: Server;
    let socket: string;
    beforeAll(async () => {
      socket = join(tempDir(), 'org.json');
      server = createServer();
      await new Promise<void>((done) => server.listen(socket, done));
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it('is reported with the reason the system gives', () => {
      const error = configError(() => loadOrganisation({ env: { ORG_CONFIG: socket } }));
      expect(error.issues).toEqual([{ path: 'ORG_CONFIG', severity: 'error', message: `cannot read '${socket}': ENXIO` }]);
    });
  });

  it('takes TEAM, COST_CENTER and ENVIRONMENT_SUFFIX from the environment', () => {
    const org = loadOrganisation({ env: { TEAM: 'payments', COST_CENTER: 'CC-42', ENVIRONMENT_SUFFIX: 'pr7' } });
    expect(org.suffix).toBe('pr7');
    expect(org.environment('dev').tags).toEqual({ Environment: 'dev', Team: 'payments', CostCenter: 'CC-42', EnvironmentSuffix: 'pr7' });
  });
});
