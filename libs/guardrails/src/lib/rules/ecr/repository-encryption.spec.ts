import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { repositoryEncryptedWithKms as rule } from './repository-encrypted-with-kms';

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/abc';

function check(encryptionConfiguration: { encryptionType?: string; kmsKey?: string }) {
  const stack = testStack();
  new EcrRepository(stack, 'repo', { name: 'dev-api', encryptionConfiguration: [encryptionConfiguration] });
  return resultFor(stack, rule, 'aws_ecr_repository.repo');
}

describe('MIG-ECR-1 encryption types', () => {
  it('passes dual-layer KMS (KMS_DSSE) with a customer key', () => {
    expect(check({ encryptionType: 'KMS_DSSE', kmsKey: KEY })).toEqual({ status: 'compliant' });
  });

  it.each(['KMS', 'KMS_DSSE'])('rejects %s without kms_key', (encryptionType) => {
    expect(check({ encryptionType })).toEqual(nonCompliant('repository uses KMS without kms_key (the AWS managed aws/ecr key)'));
  });

  it('rejects AES256 written out', () => {
    expect(check({ encryptionType: 'AES256' })).toEqual(nonCompliant("repository has encryption_type 'AES256', expected 'KMS'"));
  });
});
