import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Organisation, exampleOrganisationInput } from '@estate/config';
import { Role, servicePrincipal } from '@estate/iam';
import { ContainerRepository } from './container-repository';
import { sharedImageUri, sharedRepository } from './shared-image';

const organisation = Organisation.fromInput(exampleOrganisationInput());
const api = organisation.services[0];

function synth(build: (stack: TerraformStack) => void) {
  const stack = new TerraformStack(Testing.app(), 'ops');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

const one = (json: any, type: string): any => {
  const all = Object.values(json.resource?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
};

describe('ContainerRepository', () => {
  const json = synth((stack) => new ContainerRepository(stack, 'api', { service: api, organisation }));

  it('names the repository through the ops naming, with immutable tags, scan on push and its own KMS key', () => {
    const repository = one(json, 'aws_ecr_repository');
    expect(repository.name).toBe('ops-api');
    expect(repository.image_tag_mutability).toBe('IMMUTABLE');
    expect(repository.image_scanning_configuration).toEqual({ scan_on_push: true });
    expect(repository.encryption_configuration).toEqual([{ encryption_type: 'KMS', kms_key: expect.stringMatching(/^\$\{aws_kms_key\.api_key_[A-F0-9]+\.arn\}$/) }]);
    expect(one(json, 'aws_kms_alias').name).toBe('alias/ops-ecr-api');
  });

  it('lets exactly the environment accounts pull, and only their task execution roles', () => {
    const policy = JSON.parse(one(json, 'aws_ecr_repository_policy').policy);
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement.Action).toEqual(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    expect(statement.Principal.AWS).toEqual(['arn:aws:iam::333333333333:root', 'arn:aws:iam::444444444444:root', 'arn:aws:iam::555555555555:root']);
    expect(statement.Condition).toEqual({
      ArnLike: {
        'aws:PrincipalArn': [
          'arn:aws:iam::333333333333:role/dev-*-execution',
          'arn:aws:iam::444444444444:role/staging-*-execution',
          'arn:aws:iam::555555555555:role/prod-*-execution',
        ],
      },
    });
  });

  it('lets the same execution roles use the key through ECR only', () => {
    const key = JSON.parse(one(json, 'aws_kms_key').policy);
    const env = key.Statement.find((s: any) => s.Sid === 'EnvironmentExecutionRolesDecryptThroughEcr');
    expect(env.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(env.Condition.StringEquals).toEqual({ 'kms:ViaService': 'ecr.us-east-1.amazonaws.com' });
    expect(env.Condition.ArnLike['aws:PrincipalArn']).toHaveLength(3);
  });

  it('expires untagged images after the configured days and keeps the newest tagged ones', () => {
    const custom = synth((stack) => new ContainerRepository(stack, 'api', { service: api, organisation, untaggedExpiryDays: 3, keepTaggedImages: 20 }));
    const rules = JSON.parse(one(custom, 'aws_ecr_lifecycle_policy').policy).rules;
    expect(rules[0].selection).toEqual({ tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 });
    expect(rules[1].selection).toEqual({ tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 20 });
  });

  it('limits pulls to the accounts named in pullAccounts', () => {
    const custom = synth((stack) => new ContainerRepository(stack, 'api', { service: api, organisation, pullAccounts: ['prod'] }));
    const [statement] = JSON.parse(one(custom, 'aws_ecr_repository_policy').policy).Statement;
    expect(statement.Principal.AWS).toBe('arn:aws:iam::555555555555:root');
  });

  it('rejects bad lifecycle settings and an empty account list, naming them', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() => new ContainerRepository(stack, 'a', { service: api, organisation, untaggedExpiryDays: 0 })).toThrow(/untaggedExpiryDays 0 must be/);
    expect(() => new ContainerRepository(stack, 'b', { service: api, organisation, pullAccounts: [] })).toThrow(/pullAccounts is empty/);
    expect(() => new ContainerRepository(stack, 'c', { service: { ...api, name: 'Api_1' }, organisation })).toThrow(/service name 'Api_1' is invalid/);
  });

  it('grants pull and push on this repository only (the registry token is the one unscoped action)', () => {
    let role!: Role;
    let repo!: ContainerRepository;
    const out = synth((stack) => {
      repo = new ContainerRepository(stack, 'api', { service: api, organisation });
      role = new Role(stack, 'ci', { roleName: 'ops-ci', description: 'ci', assumedBy: servicePrincipal('codebuild.amazonaws.com') });
      repo.grantPush(role);
    });
    const policy = JSON.parse(one(out, 'aws_iam_role_policy').policy);
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      expect.objectContaining({ Action: expect.arrayContaining(['ecr:PutImage', 'ecr:UploadLayerPart']), Resource: expect.stringMatching(/^\$\{aws_ecr_repository\.api_repository_[A-F0-9]+\.arn\}$/) }),
    ]);
  });
});

describe('sharedImageUri', () => {
  it('builds the ops registry URI with a tag or a digest', () => {
    expect(sharedImageUri(organisation, api, 'v1.2.3')).toBe('222222222222.dkr.ecr.us-east-1.amazonaws.com/ops-api:v1.2.3');
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(sharedImageUri(organisation, api, digest)).toBe(`222222222222.dkr.ecr.us-east-1.amazonaws.com/ops-api@${digest}`);
    expect(sharedRepository(organisation, api).repositoryArn).toBe('arn:aws:ecr:us-east-1:222222222222:repository/ops-api');
  });

  it('rejects a reference that is neither a tag nor a digest', () => {
    expect(() => sharedImageUri(organisation, api, 'sha256:xyz')).toThrow(/'sha256:xyz' for service 'api'/);
    expect(() => sharedImageUri(organisation, api, 'bad tag')).toThrow(/'bad tag' for service 'api' is neither a tag/);
    expect(() => sharedImageUri(organisation, api, ':latest')).toThrow(/neither a tag/);
  });
});
