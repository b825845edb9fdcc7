export {
  AZ_SLOTS,
  MAX_AZS,
  MIN_AZS,
  SMALLEST_PUBLIC_SUBNET_PREFIX,
  SMALLEST_SUBNET_PREFIX,
  SUBNET_TIERS,
  defaultSubnetPrefixes,
  planSubnets,
  subnetPlanProblems,
  type SubnetPlan,
  type SubnetPrefixes,
  type SubnetTier,
} from '@estate/config'; // the subnet plan lives in config, so validation runs the same planner the VPC uses
export {
  GATEWAY_ENDPOINT_SERVICES,
  INTERFACE_ENDPOINT_SERVICES,
  TIER_TAG,
  VpcNetwork,
  type KeyReference,
  type VpcNetworkProps,
} from './lib/vpc-network';
export { VpcLookup, type VpcLookupProps } from './lib/vpc-lookup';
export { VpcPeering, type PeeringAdmission, type PeeringSide, type VpcPeeringProps } from './lib/vpc-peering';
export { LegacyLookups, type LegacyLookupsProps } from './lib/legacy-lookups';
