import { blocks, show } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/**
 * Predefined policies whose minimum is TLS 1.2 and that offer TLS 1.3: the 2021-06
 * TLS13 family and everything newer in it (Res, Ext1/Ext2, FIPS, PQ variants).
 * The minimum version is the number after `TLS13-`; 1-0 and 1-1 are refused.
 */
const MODERN_TLS_POLICY = /^ELBSecurityPolicy-TLS13-1-[23]-/;

/** HTTPS/TLS listeners use a modern policy; HTTP listeners only redirect to HTTPS. */
export const listenerUsesTls: Rule = {
  id: 'MIG-ELB-1',
  title: 'Load balancer listeners use HTTPS with a TLS 1.2+ policy or redirect HTTP to HTTPS',
  severity: 'error',
  rationale: 'Customer traffic must be encrypted in transit; old policies allow TLS 1.0/1.1 and weak ciphers, and an HTTP listener that forwards serves the application in clear text.',
  fix: "use protocol 'HTTPS' with ssl_policy 'ELBSecurityPolicy-TLS13-1-2-2021-06' (or a newer ELBSecurityPolicy-TLS13-1-2-*/1-3-* policy); an HTTP listener's default_action must be a redirect with protocol 'HTTPS'",
  standard: 'AWS FSBP ELB.1, ELB.17',
  resourceTypes: ['aws_lb_listener'],
  check(listener) {
    const protocol = listener.config['protocol'] ?? (listener.config['certificate_arn'] ? 'HTTPS' : 'HTTP');
    if (protocol === 'HTTPS' || protocol === 'TLS') {
      const policy = listener.config['ssl_policy'];
      if (typeof policy === 'string' && MODERN_TLS_POLICY.test(policy)) return compliant;
      return nonCompliant(`${String(protocol)} listener has ssl_policy ${show(policy ?? 'unset (defaults to ELBSecurityPolicy-2016-08, TLS 1.0)')}, which is not a TLS 1.2+ TLS13 policy`);
    }
    if (protocol === 'HTTP') {
      const actions = blocks(listener.config['default_action']);
      const redirects = actions.length > 0 && actions.every((a) => a['type'] === 'redirect' && blocks(a['redirect']).some((r) => r['protocol'] === 'HTTPS'));
      if (redirects) return compliant;
      return nonCompliant(`HTTP listener on port ${show(listener.config['port'])} has default_action type ${actions.map((a) => show(a['type'])).join(', ') || 'not set'} instead of a redirect to HTTPS`);
    }
    // TCP/UDP (network load balancers) pass bytes through; TLS is the target's business.
    return notApplicable;
  },
};
