import { GUARDRAIL_PACK } from './pack';

describe('GUARDRAIL_PACK', () => {
  it('holds exactly these rule ids, in this order', () => {
    expect(GUARDRAIL_PACK.map((r) => r.id)).toEqual([
      'MIG-TAG-1',
      'MIG-NAME-1',
      'MIG-S3-1',
      'MIG-S3-2',
      'MIG-S3-3',
      'MIG-S3-4',
      'MIG-S3-5',
      'MIG-KMS-1',
      'MIG-RDS-1',
      'MIG-RDS-2',
      'MIG-RDS-3',
      'MIG-RDS-4',
      'MIG-DDB-1',
      'MIG-LOG-1',
      'MIG-ECR-1',
      'MIG-DMS-1',
      'MIG-DMS-2',
      'MIG-DMS-3',
      'MIG-ELB-1',
      'MIG-VPC-1',
      'MIG-VPC-2',
      'MIG-VPC-3',
      'MIG-VPC-4',
      'MIG-VPC-5',
      'MIG-IAM-1',
      'MIG-IAM-2',
      'MIG-IAM-3',
      'MIG-IAM-4',
      'MIG-IAM-5',
      'MIG-IAM-6',
      'MIG-IAM-7',
      'MIG-IAM-8',
      'MIG-IAM-9',
      'MIG-SEC-1',
      'MIG-SEC-2',
      'MIG-SEC-3',
      'MIG-SEC-4',
      'MIG-PROD-1',
      'MIG-PROD-2',
      'MIG-PROD-3',
      'MIG-PROD-4',
    ]);
  });

  it('has unique ids that do not collide with the engine ids MIG-GR-*', () => {
    const ids = GUARDRAIL_PACK.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('MIG-GR-'))).toEqual([]);
  });

  it('gives every rule a title, rationale, fix and standard', () => {
    const incomplete = GUARDRAIL_PACK.filter((r) => [r.title, r.rationale, r.fix, r.standard].some((text) => text.trim().length < 10)).map((r) => r.id);
    expect(incomplete).toEqual([]);
  });

  it('marks exactly the production protections as production-only', () => {
    expect(GUARDRAIL_PACK.filter((r) => r.productionOnly).map((r) => r.id)).toEqual(['MIG-PROD-1', 'MIG-PROD-2', 'MIG-PROD-3', 'MIG-PROD-4']);
  });
});
