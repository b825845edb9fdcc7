import { COMMENT_MARKER, planExitCode, renderMarkdown, renderText, sameChanges, summarizePlan, type PlanJson, type PlanSummary } from './plan-summary';

const meta = { app: 'dev', stack: 'dev-data', prod: false };
const change = (address: string, type: string, actions: string[]) => ({ address, type, change: { actions } });

describe('summarizePlan', () => {
  const json: PlanJson = {
    format_version: '1.2',
    resource_changes: [
      change('aws_db_instance.ledger', 'aws_db_instance', ['delete', 'create']),
      change('aws_security_group.db', 'aws_security_group', ['create', 'delete']),
      change('aws_s3_bucket.assets', 'aws_s3_bucket', ['update']),
      change('aws_iam_role.task', 'aws_iam_role', ['create']),
      change('aws_kms_key.old', 'aws_kms_key', ['delete']),
      change('aws_vpc.main', 'aws_vpc', ['no-op']),
      change('data.aws_caller_identity.me', 'aws_caller_identity', ['read']),
    ],
    output_changes: { endpoint: { actions: ['update'] }, vpc_id: { actions: ['no-op'] } },
  };

  it('counts replace apart from add and destroy, and ignores no-ops and reads', () => {
    expect(summarizePlan(json, meta)).toMatchObject({ status: 'changes', add: 1, change: 1, destroy: 1, replace: 2, outputChanges: ['endpoint'] });
  });

  it('marks stateful resources', () => {
    const plan = summarizePlan(json, meta);
    expect(plan.changes.filter((c) => c.stateful).map((c) => c.address)).toEqual(['aws_db_instance.ledger', 'aws_s3_bucket.assets', 'aws_kms_key.old']);
  });

  it('rejects a plan format it does not know', () => {
    expect(() => summarizePlan({ format_version: '2.0' }, meta)).toThrow('dev-data: terraform show -json printed plan format 2.0; the driver reads format 1.x');
  });

  it('compares re-plans by address and action', () => {
    const a = summarizePlan(json, meta);
    expect(sameChanges(a, summarizePlan({ ...json, resource_changes: [...(json.resource_changes ?? [])].reverse() }, meta))).toBe(true);
    expect(sameChanges(a, summarizePlan({ ...json, resource_changes: json.resource_changes?.slice(1) }, meta))).toBe(false);
  });
});

describe('rendering', () => {
  const plan = summarizePlan(
    { format_version: '1.2', resource_changes: [change('aws_db_instance.ledger', 'aws_db_instance', ['delete', 'create'])] },
    { app: 'prod', stack: 'prod-data', prod: true },
  );
  const summary: PlanSummary = { action: 'plan', app: 'prod', apps: ['ops', 'prod'], stacks: [plan, { ...plan, stack: 'prod-app', status: 'no-changes', replace: 0, changes: [] }] };

  it('lists every replacement by address with stateful and prod highlighted', () => {
    const text = renderText(summary);
    expect(text).toContain('  replace prod-data: aws_db_instance.ledger  [stateful, PROD]');
    expect(text).toMatch(/prod-data\s+prod\s+\+0 ~0 -0 ±1 PROD/);
    const ESC = String.fromCharCode(27);
    expect(renderText(summary, { color: false })).not.toContain(`${ESC}[`);
    expect(renderText(summary, { color: true })).toContain(`${ESC}[1;31m PROD`);
  });

  it('exits like -detailed-exitcode', () => {
    expect(planExitCode(summary)).toBe(2);
    expect(planExitCode({ ...summary, stacks: [summary.stacks[1]] })).toBe(0);
    expect(planExitCode({ ...summary, stacks: [{ ...plan, status: 'error', error: 'boom' }] })).toBe(1);
  });

  it('renders Markdown for a comment, split below the limit with the marker on every part', () => {
    const one = renderMarkdown(summary);
    expect(one).toHaveLength(1);
    expect(one[0]).toContain('| `prod-data` 🔴 | prod | 0 | 0 | 0 | 1 | **changes (prod)** |');
    expect(one[0]).toContain('- **replace** `aws_db_instance.ledger` in `prod-data` (stateful, **prod**)');
    const many: PlanSummary = { ...summary, stacks: Array.from({ length: 400 }, (_, i) => ({ ...plan, stack: `prod-stack-${i}` })) };
    const parts = renderMarkdown(many, 5_000);
    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) {
      expect(part.length).toBeLessThan(5_000);
      expect(part.startsWith(COMMENT_MARKER)).toBe(true);
    }
    expect(parts[1]).toContain('| stack | app | add | change | destroy | replace | status |');
    expect(parts.join('\n')).toContain('prod-stack-399');
  });
});
