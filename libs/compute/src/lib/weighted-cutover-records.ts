import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { Naming } from '@estate/config';

/** The two sides of a cutover, as set identifiers of the weighted record set. */
export const SET_IDENTIFIERS = { legacy: 'legacy', migrated: 'migrated' } as const;
export type CutoverSide = keyof typeof SET_IDENTIFIERS;

/** Route 53 weights run 0..255; the migration runner moves them 0 → 25 → 50 → 75 → 100 and back. */
export const INITIAL_WEIGHTS: Readonly<Record<CutoverSide, number>> = { legacy: 100, migrated: 0 };

/**
 * The sides whose record carries its health check at these weights: both while both carry
 * weight (an unhealthy side then sheds its share to the other), none while one side is at 0.
 */
export function healthCheckedSides(weights: Readonly<Record<CutoverSide, number>>): CutoverSide[] {
  return weights.legacy > 0 && weights.migrated > 0 ? ['legacy', 'migrated'] : [];
}

export interface CutoverEndpoint {
  /** DNS name traffic goes to (a load balancer's name). */
  readonly dnsName: string;
  /** Host name Route 53 health checkers request, over HTTPS on 443. @default - dnsName */
  readonly healthCheckHost?: string;
}

export interface WeightedCutoverRecordsProps {
  readonly naming: Naming;
  /** Service name (names the health checks). */
  readonly name: string;
  /** The public name both sides answer to (`api.dev.fintech.example.com`). */
  readonly recordName: string;
  /** The hosted zone that serves the name (the legacy account's). */
  readonly zoneId: string;
  /** Provider of the account that owns the zone (`stack.legacyProvider`). @default - the stack's default provider */
  readonly zoneProvider?: AwsProvider;
  readonly legacy: CutoverEndpoint;
  readonly migrated: CutoverEndpoint;
  /** Path both health checks request. */
  readonly healthCheckPath: string;
  /** Weights at creation; afterwards the migration runner owns them. @default {@link INITIAL_WEIGHTS} */
  readonly initialWeights?: Readonly<Record<CutoverSide, number>>;
  /** TTL of the records, seconds: short, so a weight shift takes effect quickly. @default 60 */
  readonly ttl?: number;
}

/**
 * A public name split between the legacy endpoint and the new load balancer: two weighted
 * CNAME records with set identifiers `legacy` and `migrated`, created with the initial
 * weights (100 / 0). From then on the migration runner owns the weights and the health-check
 * association through the Route 53 API, so Terraform ignores both and a later apply never
 * moves traffic.
 *
 * Health checks (one HTTPS check per endpoint) are created here but attached by the runner
 * only while both sides carry weight ({@link healthCheckedSides}). Route 53 answers with a
 * zero-weight record when every record with weight is unhealthy ("How Amazon Route 53 chooses
 * records when health checking is configured"), so a check on the 100 side at 100 / 0 would
 * turn a failing side into an unplanned cutover (before the switch) or failback (after it).
 * At 100 / 0 and 0 / 100 no record has a check and the weights alone decide; the alarms
 * on the health checks still page.
 *
 * CNAMEs rather than aliases: both sides of a weighted set must have the same type, and the
 * legacy side is a DNS name whose hosted zone is not known here.
 */
export class WeightedCutoverRecords extends Construct {
  public readonly records: Readonly<Record<CutoverSide, Route53Record>>;
  public readonly healthChecks: Readonly<Record<CutoverSide, Route53HealthCheck>>;
  public readonly recordName: string;
  public readonly recordType = 'CNAME';
  public readonly ttl: number;
  public readonly setIdentifiers = SET_IDENTIFIERS;

  constructor(scope: Construct, id: string, props: WeightedCutoverRecordsProps) {
    super(scope, id);
    const weights = props.initialWeights ?? INITIAL_WEIGHTS;
    this.ttl = props.ttl ?? 60;
    validate(id, props, weights, this.ttl);
    this.recordName = props.recordName;

    const check = (side: CutoverSide) => {
      const endpoint = props[side];
      const checkName = props.naming.resource('vpc-resource', `${props.name}-${side}`);
      return new Route53HealthCheck(this, `${side}-health`, {
        type: 'HTTPS',
        fqdn: endpoint.healthCheckHost ?? endpoint.dnsName,
        port: 443,
        resourcePath: props.healthCheckPath,
        enableSni: true,
        requestInterval: 30,
        failureThreshold: 3,
        tags: { Name: checkName },
      });
    };
    this.healthChecks = { legacy: check('legacy'), migrated: check('migrated') };

    const record = (side: CutoverSide) =>
      new Route53Record(this, `${side}-record`, {
        provider: props.zoneProvider,
        zoneId: props.zoneId,
        name: props.recordName,
        type: this.recordType,
        ttl: this.ttl,
        records: [props[side].dnsName],
        setIdentifier: SET_IDENTIFIERS[side],
        weightedRoutingPolicy: { weight: weights[side] },
        healthCheckId: healthCheckedSides(weights).includes(side) ? this.healthChecks[side].id : undefined,
        lifecycle: { ignoreChanges: ['weighted_routing_policy', 'health_check_id'] },
      });
    this.records = { legacy: record('legacy'), migrated: record('migrated') };
  }
}

function validate(id: string, props: WeightedCutoverRecordsProps, weights: Readonly<Record<CutoverSide, number>>, ttl: number): void {
  const dns = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
  const literal = (value: string) => !Token.isUnresolved(value);
  const rules = [
    ...(['legacy', 'migrated'] as const).map((side) => ({
      ok: Number.isInteger(weights[side]) && weights[side] >= 0 && weights[side] <= 255,
      message: `initial ${side} weight ${weights[side]} must be a whole number 0..255`,
    })),
    { ok: weights.legacy + weights.migrated > 0, message: 'initial weights are both 0 (Route 53 would then split traffic evenly); give one side weight' },
    { ok: !literal(props.recordName) || dns.test(props.recordName), message: `recordName '${props.recordName}' is not a lowercase DNS name` },
    { ok: !literal(props.legacy.dnsName) || dns.test(props.legacy.dnsName), message: `legacy endpoint '${props.legacy.dnsName}' is not a DNS name` },
    { ok: !literal(props.legacy.dnsName) || props.legacy.dnsName !== props.recordName, message: `legacy endpoint '${props.legacy.dnsName}' is the record's own name; it must be the legacy load balancer's DNS name` },
    { ok: /^\/[\x21-\x7e]*$/.test(props.healthCheckPath) && props.healthCheckPath.length <= 255, message: `healthCheckPath '${props.healthCheckPath}' must start with '/' (at most 255, no spaces)` },
    { ok: Number.isInteger(ttl) && ttl >= 0 && ttl <= 86400, message: `ttl ${ttl} must be 0..86400 seconds` },
  ];
  const failed = rules.filter((r) => !r.ok).map((r) => r.message);
  if (failed.length > 0) throw new Error(`WeightedCutoverRecords ${id} (${props.name}): ${failed.join('; ')}`);
}
