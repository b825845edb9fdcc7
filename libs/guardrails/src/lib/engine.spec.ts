import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { Testing } from 'cdktf';
import { applyGuardrails, guardrailReport } from './apply';
import { evaluate, formatFinding } from './engine';
import { GUARDRAIL_PACK } from './pack';
import { securityGroupNotOpenToWorld } from './rules/vpc/security-group-not-open-to-world';
import { DEV, openSsh, testStack } from './rules/test-support';
import { suppressRules } from './suppressions';

describe('suppressions', () => {
  it('move a finding with a reason into suppressed', () => {
    const { stack, sg } = openSsh();
    suppressRules(sg, [{ id: 'MIG-VPC-1', reason: 'temporary bastion for the cutover weekend, removed in issue 12' }]);
    const report = evaluate(stack, DEV, [securityGroupNotOpenToWorld]);
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toEqual([
      expect.objectContaining({ ruleId: 'MIG-VPC-1', address: 'aws_security_group.bastion', reason: 'temporary bastion for the cutover weekend, removed in issue 12' }),
    ]);
  });

  it('apply to everything below the construct they are declared on', () => {
    const { stack } = openSsh();
    suppressRules(stack, [{ id: 'MIG-VPC-1', reason: 'whole test stack is a sandbox for this spec' }]);
    expect(evaluate(stack, DEV, [securityGroupNotOpenToWorld]).suppressed).toHaveLength(1);
  });

  it('without a reason are an error (MIG-GR-1) and suppress nothing', () => {
    const { stack, sg } = openSsh();
    suppressRules(sg, [{ id: 'MIG-VPC-1', reason: '' }]);
    const report = evaluate(stack, DEV, [securityGroupNotOpenToWorld]);
    expect(report.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['MIG-GR-1', 'error'],
      ['MIG-VPC-1', 'error'],
    ]);
    expect(report.findings[0].message).toBe(
      "suppression of MIG-VPC-1 has no real reason (got ''); write why this resource may break the rule (10+ characters)",
    );
  });

  it('naming an unknown rule are an error (MIG-GR-2)', () => {
    const { stack, sg } = openSsh();
    suppressRules(sg, [{ id: 'MIG-VPC-99', reason: 'a reason that is long enough' }]);
    const report = evaluate(stack, DEV, [securityGroupNotOpenToWorld]);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['MIG-GR-2', 'MIG-VPC-1']);
    expect(report.findings[0].message).toBe("suppression names unknown rule 'MIG-VPC-99'; known ids are listed in docs/guardrails.md");
  });
});

describe('applyGuardrails', () => {
  it('makes synthesis fail on an error finding, naming rule, stack, path, address and fix', () => {
    const { stack } = openSsh();
    applyGuardrails(stack, DEV, [securityGroupNotOpenToWorld]);
    expect(() => Testing.synth(stack, true)).toThrow(
      /\[MIG-VPC-1\] ERROR test test\/bastion \(aws_security_group\.bastion\): ingress #1 of security group 'dev-bastion' allows tcp port 22 from 0\.0\.0\.0\/0\. Fix: restrict the source/,
    );
  });

  it('lets synthesis pass with only warnings and keeps them in the report', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    const lifecycle = GUARDRAIL_PACK.find((r) => r.id === 'MIG-S3-5');
    if (!lifecycle) throw new Error('MIG-S3-5 missing from the pack');
    applyGuardrails(stack, DEV, [lifecycle]);
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(guardrailReport(stack)?.findings.map(formatFinding)).toEqual([
      `[MIG-S3-5] WARNING test test/data (aws_s3_bucket.data): bucket 'dev-data' has no aws_s3_bucket_lifecycle_configuration. Fix: ${lifecycle.fix}`,
    ]);
  });

  it('runs the whole pack by default', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    applyGuardrails(stack, DEV);
    expect(() => Testing.synth(stack, true)).toThrow(/\[MIG-TAG-1\][\s\S]*\[MIG-S3-1\]/);
  });
});
