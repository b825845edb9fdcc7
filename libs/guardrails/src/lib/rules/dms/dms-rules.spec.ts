import { DmsEndpoint, type DmsEndpointConfig } from '@cdktf/provider-aws/lib/dms-endpoint';
import { DmsReplicationInstance } from '@cdktf/provider-aws/lib/dms-replication-instance';
import { stackView } from '../../engine';
import { nonCompliant, type Rule, type RuleResult } from '../../types';
import { DEV, resultFor, testStack } from '../test-support';
import { dmsEncryptedWithKms } from './encrypted-with-kms';
import { endpointsUseTls } from './endpoints-use-tls';
import { replicationInstanceNotPublic } from './replication-instance-not-public';

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/abc';
const COMPLIANT: RuleResult = { status: 'compliant' };
const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };
const source: DmsEndpointConfig = { endpointId: 'dev-legacy-source', endpointType: 'source', engineName: 'postgres', serverName: 'legacy.internal', port: 5432, databaseName: 'ledger' };

function endpoint(rule: Rule, extra: Partial<DmsEndpointConfig>): RuleResult {
  const stack = testStack();
  new DmsEndpoint(stack, 'endpoint', { ...source, ...extra });
  return resultFor(stack, rule, 'aws_dms_endpoint.endpoint');
}

function replicationInstance(rule: Rule, extra: { kmsKeyArn?: string; publiclyAccessible?: boolean }): RuleResult {
  const stack = testStack();
  new DmsReplicationInstance(stack, 'ri', { replicationInstanceId: 'dev-migration', replicationInstanceClass: 'dms.t3.medium', ...extra });
  return resultFor(stack, rule, 'aws_dms_replication_instance.ri');
}

describe('MIG-DMS-1 DMS encryption (edges)', () => {
  it('leaves S3 endpoints to their own server-side encryption settings', () => {
    expect(endpoint(dmsEncryptedWithKms, { engineName: 's3', serverName: undefined, port: undefined, databaseName: undefined })).toEqual(NOT_APPLICABLE);
  });

  it('rejects a database endpoint without a key, and an empty or null key', () => {
    for (const kmsKeyArn of [undefined, '', null as unknown as string]) {
      expect(endpoint(dmsEncryptedWithKms, { kmsKeyArn })).toEqual(nonCompliant('endpoint has no kms_key_arn'));
    }
  });

  it('treats an empty or null key on a replication instance as missing', () => {
    for (const kmsKeyArn of ['', null as unknown as string]) {
      expect(replicationInstance(dmsEncryptedWithKms, { kmsKeyArn })).toEqual(nonCompliant('replication instance has no kms_key_arn'));
    }
    expect(replicationInstance(dmsEncryptedWithKms, { kmsKeyArn: KEY })).toEqual(COMPLIANT);
  });
});

describe('MIG-DMS-2 DMS endpoint TLS (edges)', () => {
  it('is not applicable to endpoints that are not databases', () => {
    expect(endpoint(endpointsUseTls, { engineName: 's3', serverName: undefined, port: undefined, databaseName: undefined })).toEqual(NOT_APPLICABLE);
    expect(endpoint(endpointsUseTls, { engineName: 'kinesis' })).toEqual(NOT_APPLICABLE);
  });

  it('accepts require and verify-ca, and rejects none', () => {
    expect(endpoint(endpointsUseTls, { sslMode: 'require' })).toEqual(COMPLIANT);
    expect(endpoint(endpointsUseTls, { sslMode: 'verify-ca' })).toEqual(COMPLIANT);
    expect(endpoint(endpointsUseTls, { sslMode: 'none' })).toEqual(nonCompliant("endpoint has ssl_mode 'none', expected 'verify-full', 'verify-ca' or 'require'"));
  });

  it('checks an endpoint whose engine it cannot tell', () => {
    const resource = { type: 'aws_dms_endpoint', name: 'endpoint', address: 'aws_dms_endpoint.endpoint', path: 'test/endpoint', config: { endpoint_id: 'dev-legacy-source' } };
    expect(endpointsUseTls.check(resource, stackView(testStack()), DEV)).toEqual(nonCompliant("endpoint has ssl_mode 'none (default)', expected 'verify-full', 'verify-ca' or 'require'"));
  });
});

describe('MIG-DMS-3 DMS replication instance not public (edges)', () => {
  it('rejects publicly_accessible = true', () => {
    expect(replicationInstance(replicationInstanceNotPublic, { publiclyAccessible: true })).toEqual(nonCompliant('replication instance has publicly_accessible = true'));
  });
});
