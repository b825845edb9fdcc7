import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { keyRotationEnabled as rule } from './key-rotation-enabled';

function check(config: ConstructorParameters<typeof KmsKey>[2]) {
  const stack = testStack();
  new KmsKey(stack, 'key', config);
  return resultFor(stack, rule, 'aws_kms_key.key');
}

describe('MIG-KMS-1 which keys must rotate', () => {
  it('does not judge an asymmetric encryption key, which cannot rotate', () => {
    expect(check({ description: 'envelope', customerMasterKeySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' })).toEqual({ status: 'not-applicable' });
  });

  it('does not judge an HMAC key, even with its key spec left out', () => {
    expect(check({ description: 'mac', keyUsage: 'GENERATE_VERIFY_MAC' })).toEqual({ status: 'not-applicable' });
  });

  it('does not judge a key in a custom key store (CloudHSM), which cannot rotate automatically', () => {
    expect(check({ description: 'hsm', customKeyStoreId: 'cks-1234567890abcdef0' })).toEqual({ status: 'not-applicable' });
  });

  it('judges a key that spells out the symmetric defaults', () => {
    expect(check({ description: 'data', customerMasterKeySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', enableKeyRotation: true })).toEqual({ status: 'compliant' });
    expect(check({ description: 'data', customerMasterKeySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' })).toEqual(
      nonCompliant('KMS key has enable_key_rotation not set, expected true'),
    );
  });

  it('shows the value rotation is set to', () => {
    expect(check({ description: 'data', enableKeyRotation: false })).toEqual(nonCompliant('KMS key has enable_key_rotation false, expected true'));
  });
});
