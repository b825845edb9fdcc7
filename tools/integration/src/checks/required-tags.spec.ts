import { GetResourcesCommand, ResourceGroupsTaggingAPIClient, type ResourceTagMapping } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { checkRequiredTags } from './required-tags';

const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const client = tagging as unknown as ResourceGroupsTaggingAPIClient;
const REQUIRED = ['Environment', 'Team', 'CostCenter'];
const ALB = 'arn:aws:elasticloadbalancing:us-east-1:333333333333:loadbalancer/app/dev-api/50dc6c495c0c9188';
const DB = 'arn:aws:rds:us-east-1:333333333333:db:dev-ledger';
const ROLE = 'arn:aws:iam::333333333333:role/dev-api-task';
const full = [{ Key: 'Environment', Value: 'dev' }, { Key: 'Team', Value: 'platform' }, { Key: 'CostCenter', Value: 'CC-1001' }];
const resource = (arn: string, tags = full): ResourceTagMapping => ({ ResourceARN: arn, Tags: tags });

beforeEach(() => tagging.reset());

describe('checkRequiredTags', () => {
  it('passes when every tagged resource and every output ARN carries the three tags', async () => {
    tagging.on(GetResourcesCommand, { TagFilters: [{ Key: 'Environment', Values: ['dev'] }] })
      .resolvesOnce({ ResourceTagMappingList: [resource(ALB)], PaginationToken: 'page-2' })
      .resolvesOnce({ ResourceTagMappingList: [resource(DB)], PaginationToken: '' });
    tagging.on(GetResourcesCommand, { ResourceARNList: [ALB, DB] }).resolves({ ResourceTagMappingList: [resource(ALB), resource(DB)] });
    const rows = await checkRequiredTags({ environment: 'dev', requiredKeys: REQUIRED, knownArns: [ALB, DB] }, client);
    expect(rows).toEqual([
      { check: 'tags', target: 'Environment=dev', status: 'pass', detail: '2 resources carry Environment, Team, CostCenter' },
      { check: 'tags', target: 'output ARNs', status: 'pass', detail: '2 resources carry Environment, Team, CostCenter' },
    ]);
    expect(tagging.commandCalls(GetResourcesCommand).map((c) => c.args[0].input.PaginationToken)).toEqual([undefined, 'page-2', undefined]);
  });

  it('names each resource that misses Team or CostCenter (an empty value counts as missing)', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        resource(ALB),
        resource(DB, [{ Key: 'Environment', Value: 'dev' }, { Key: 'Team', Value: '' }]),
      ],
    });
    const [row] = await checkRequiredTags({ environment: 'dev', requiredKeys: REQUIRED, knownArns: [] }, client);
    expect(row).toEqual({ check: 'tags', target: 'Environment=dev', status: 'fail', detail: `1 of 2 resources miss required tags: ${DB} lacks Team, CostCenter` });
  });

  it('fails when nothing carries the Environment tag', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    const [row] = await checkRequiredTags({ environment: 'dev', requiredKeys: REQUIRED, knownArns: [] }, client);
    expect(row).toMatchObject({ status: 'fail', detail: expect.stringContaining('no resource carries these tags') });
  });

  it('searches a preview by its EnvironmentSuffix tag too', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [resource(ALB, [...full, { Key: 'EnvironmentSuffix', Value: 'pr42' }])] });
    const [row] = await checkRequiredTags({ environment: 'dev', suffix: 'pr42', requiredKeys: REQUIRED, knownArns: [] }, client);
    expect(row).toMatchObject({ target: 'Environment=dev,EnvironmentSuffix=pr42', status: 'pass' });
    expect(tagging.commandCalls(GetResourcesCommand)[0].args[0].input.TagFilters).toEqual([
      { Key: 'Environment', Values: ['dev'] },
      { Key: 'EnvironmentSuffix', Values: ['pr42'] },
    ]);
  });

  it('fails for an output ARN that carries no tags at all, which the Environment search cannot see', async () => {
    tagging.on(GetResourcesCommand, { TagFilters: [{ Key: 'Environment', Values: ['dev'] }] }).resolves({ ResourceTagMappingList: [resource(DB)] });
    tagging.on(GetResourcesCommand, { ResourceARNList: [ALB, DB, ROLE] }).resolves({ ResourceTagMappingList: [resource(DB)] });
    const rows = await checkRequiredTags({ environment: 'dev', requiredKeys: REQUIRED, knownArns: [ALB, DB, ROLE] }, client);
    expect(rows[1]).toEqual({ check: 'tags', target: 'output ARNs', status: 'fail', detail: `1 carry no tags at all: ${ALB}` });
  });

  it('only notes output ARNs of services the Tagging API may not list', async () => {
    tagging.on(GetResourcesCommand, { TagFilters: [{ Key: 'Environment', Values: ['dev'] }] }).resolves({ ResourceTagMappingList: [resource(DB)] });
    tagging.on(GetResourcesCommand, { ResourceARNList: [DB, ROLE] }).resolves({ ResourceTagMappingList: [resource(DB)] });
    const rows = await checkRequiredTags({ environment: 'dev', requiredKeys: REQUIRED, knownArns: [DB, ROLE] }, client);
    expect(rows[1]).toMatchObject({ status: 'pass', detail: `1 resources carry Environment, Team, CostCenter; not returned by the Tagging API (not covered or never tagged): ${ROLE}` });
  });

  it('fails when the Tagging API refuses', async () => {
    tagging.on(GetResourcesCommand).rejects(Object.assign(new Error('not authorized to perform: tag:GetResources'), { name: 'AccessDeniedException' }));
    const [row] = await checkRequiredTags({ environment: 'dev', requiredKeys: REQUIRED, knownArns: [] }, client);
    expect(row).toMatchObject({ status: 'fail', detail: 'GetResources failed: AccessDeniedException: not authorized to perform: tag:GetResources' });
  });
});
