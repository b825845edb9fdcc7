import { synthEnvironment } from '../testing/environment';

const alarmNames = (json: any) => Object.values<any>(json.resource.aws_cloudwatch_metric_alarm).map((a) => a.alarm_name).sort();
const alarm = (json: any, name: string) => Object.values<any>(json.resource.aws_cloudwatch_metric_alarm).find((a) => a.alarm_name === name);

describe('ObservabilityStack', () => {
  const dev = synthEnvironment('dev');
  const json = dev.synth(dev.stacks.observability);
  const prod = synthEnvironment('prod');
  const prodJson = prod.synth(prod.stacks.observability);

  it('alarms for every service and database, and for CDC while the migration runs', () => {
    expect(alarmNames(json)).toEqual(
      [
        'dev-api-5xx-rate',
        'dev-api-unhealthy-hosts',
        'dev-api-running-below-desired',
        'dev-api-cpu',
        'dev-api-memory',
        'dev-ledger-db-cpu',
        'dev-ledger-db-free-storage',
        'dev-ledger-db-connections',
        'dev-ledger-cdc-latency',
      ].sort(),
    );
  });

  it('uses the tier thresholds', () => {
    expect(alarm(json, 'dev-api-5xx-rate').threshold).toBe(5);
    expect(alarm(prodJson, 'prod-api-5xx-rate').threshold).toBe(1);
    expect(alarm(prodJson, 'prod-ledger-db-connections').threshold).toBe(800);
  });

  it('reads the DMS task id from the task ARN for the CDC latency alarm', () => {
    expect(alarm(json, 'dev-ledger-cdc-latency').dimensions.ReplicationTaskIdentifier).toMatch(/^\$\{element\(split\(":", .+\), 6\)\}$/);
  });

  it('has no CDC alarm in a preview copy (it starts empty, without replication)', () => {
    const preview = synthEnvironment('dev', 'pr7');
    expect(alarmNames(preview.synth(preview.stacks.observability)).some((n) => n.includes('cdc'))).toBe(false);
  });

  it('draws the alarms on one dashboard', () => {
    const body = JSON.parse(Object.values<any>(json.resource.aws_cloudwatch_dashboard)[0].dashboard_body);
    expect(body.widgets.filter((w: any) => w.type === 'metric')).toHaveLength(9);
  });
});
