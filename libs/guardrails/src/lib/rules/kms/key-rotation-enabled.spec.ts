import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { finding, findings, resultFor, testStack } from '../test-support';
import { keyRotationEnabled } from './key-rotation-enabled';

describe('MIG-KMS-1 key rotation', () => {
  it('passes a symmetric key with rotation on', () => {
    const stack = testStack();
    new KmsKey(stack, 'key', { description: 'dev data', enableKeyRotation: true });
    expect(resultFor(stack, keyRotationEnabled, 'aws_kms_key.key')).toEqual({ status: 'compliant' });
  });

  it('rejects a symmetric key without rotation', () => {
    const stack = testStack();
    new KmsKey(stack, 'key', { description: 'dev data' });
    expect(findings(stack, keyRotationEnabled)).toEqual([finding(keyRotationEnabled, 'aws_kms_key.key', 'KMS key has enable_key_rotation not set, expected true')]);
  });

  it('does not apply to asymmetric signing keys, which cannot rotate', () => {
    const stack = testStack();
    new KmsKey(stack, 'key', { description: 'signing', customerMasterKeySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' });
    expect(resultFor(stack, keyRotationEnabled, 'aws_kms_key.key')).toEqual({ status: 'not-applicable' });
  });
});
