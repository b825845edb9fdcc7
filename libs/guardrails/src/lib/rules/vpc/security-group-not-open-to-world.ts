import { blocks, bool, isLiteralString, list, num } from '../../inspect';
import { compliant, nonCompliant, type ResourceView, type Rule, type StackView } from '../../types';

const WORLD = ['0.0.0.0/0', '::/0'];
const WEB_PORTS = [80, 443];

interface Ingress {
  readonly where: string;
  readonly cidrs: string[];
  readonly from?: number;
  readonly to?: number;
  readonly protocol: string;
  /** The security group the rule belongs to (the resource itself for inline rules). */
  readonly group: unknown;
}

function ingressRules(resource: ResourceView): Ingress[] {
  const c = resource.config;
  switch (resource.type) {
    case 'aws_security_group':
      return blocks(c['ingress']).map((r, i) => ({
        where: `ingress #${i + 1}`,
        cidrs: [...list(r['cidr_blocks']), ...list(r['ipv6_cidr_blocks'])].map(String),
        from: num(r['from_port']),
        to: num(r['to_port']),
        protocol: String(r['protocol'] ?? ''),
        group: `\${${resource.address}.id}`,
      }));
    case 'aws_security_group_rule':
      if (c['type'] !== 'ingress') return [];
      return [
        {
          where: 'rule',
          cidrs: [...list(c['cidr_blocks']), ...list(c['ipv6_cidr_blocks'])].map(String),
          from: num(c['from_port']),
          to: num(c['to_port']),
          protocol: String(c['protocol'] ?? ''),
          group: c['security_group_id'],
        },
      ];
    case 'aws_vpc_security_group_ingress_rule':
      return [
        {
          where: 'rule',
          cidrs: [c['cidr_ipv4'], c['cidr_ipv6']].filter((v) => v !== undefined && v !== null).map(String),
          from: num(c['from_port']),
          to: num(c['to_port']),
          protocol: String(c['ip_protocol'] ?? ''),
          group: c['security_group_id'],
        },
      ];
    default:
      return [];
  }
}

/** Internet-facing application load balancers in the stack that use the security group `group` refers to. */
function internetFacingAlbsUsing(group: unknown, stack: StackView): ResourceView[] {
  const target = stack.resolveReference(group);
  if (!target || target.type !== 'aws_security_group') return [];
  return stack.resources.filter(
    (r) =>
      (r.type === 'aws_lb' || r.type === 'aws_alb') &&
      (r.config['load_balancer_type'] ?? 'application') === 'application' &&
      bool(r.config['internal']) !== true &&
      list(r.config['security_groups']).some((sg) => typeof sg === 'string' && sg.includes(`\${${target.address}.`)),
  );
}

function portText(rule: Ingress): string {
  if (rule.protocol === '-1' || rule.protocol === 'all') return 'all traffic';
  return rule.from === rule.to ? `${rule.protocol} port ${rule.from ?? '?'}` : `${rule.protocol} ports ${rule.from ?? '?'}-${rule.to ?? '?'}`;
}

/**
 * No ingress from 0.0.0.0/0 or ::/0, except TCP 80 or 443 on a security group that
 * an internet-facing application load balancer in the same stack uses.
 */
export const securityGroupNotOpenToWorld: Rule = {
  id: 'MIG-VPC-1',
  title: 'Security groups allow no ingress from the internet, except 80/443 on an internet-facing ALB',
  severity: 'error',
  rationale: 'An open port reachable from anywhere (SSH, RDP, a database) is the most common way AWS workloads are breached; only the public load balancer should face the internet.',
  fix: 'restrict the source to a CIDR inside the organisation or to a security group (source_security_group_id / referenced_security_group_id); only the internet-facing ALB security group (in the same stack as its aws_lb) may allow TCP 80/443 from anywhere',
  standard: 'AWS FSBP EC2.18, EC2.19, EC2.13, EC2.14; cdk-nag AwsSolutions-EC23',
  resourceTypes: ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'],
  check(resource, stack) {
    const problems: string[] = [];
    for (const rule of ingressRules(resource)) {
      const open = rule.cidrs.filter((c) => WORLD.includes(c));
      if (open.length === 0) continue;
      const webPort = rule.protocol === 'tcp' || rule.protocol === '6' ? rule.from !== undefined && rule.from === rule.to && WEB_PORTS.includes(rule.from) : false;
      if (webPort && internetFacingAlbsUsing(rule.group, stack).length > 0) continue;
      const why = webPort ? ' on a security group that no internet-facing ALB in this stack uses' : '';
      const group = isLiteralString(resource.config['name']) ? ` of security group '${resource.config['name']}'` : '';
      problems.push(`${rule.where}${group} allows ${portText(rule)} from ${open.join(' and ')}${why}`);
    }
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
