export {
  EXECUTION_ROLE_SUFFIX,
  executionRolePatterns,
  IMAGE_REFERENCE_PATTERN,
  IMAGE_TAG_VARIABLE,
  imageTagVariable,
  SERVICE_NAME_PATTERN,
  sharedImageUri,
  sharedRepository,
  type SharedRepository,
} from './lib/shared-image';
export { ContainerRepository, lifecycleRules, registryTokenStatement, type ContainerRepositoryProps } from './lib/container-repository';
export { isInZone, publicHostname } from './lib/public-name';
export { EcsCluster, type EcsClusterProps } from './lib/ecs-cluster';
export {
  DATABASE_ACCESS_CONTAINER,
  DATABASE_ACCESS_IMAGE,
  DATABASE_ACCESS_MAX_SECONDS,
  DatabaseAccessTask,
  SSM_MESSAGES_ACTIONS,
  type DatabaseAccessTaskProps,
} from './lib/database-access-task';
export { DnsValidatedCertificate, type DnsValidatedCertificateProps } from './lib/dns-validated-certificate';
export {
  DEFAULT_SSL_POLICY,
  ELB_LOG_DELIVERY_ACCOUNTS,
  PublicLoadBalancer,
  type LoadBalancerNetwork,
  type LoadBalancerTargetSpec,
  type PublicLoadBalancerProps,
} from './lib/public-load-balancer';
export { FargateService, type ContainerImage, type ContainerSecret, type FargateServiceProps, type ServiceNetwork } from './lib/fargate-service';
export { AlarmTopic, type AlarmTopicProps } from './lib/alarm-topic';
export { metricAlarm, type AlarmBase, type MetricAlarmSpec } from './lib/metric-alarm';
export { ServiceAlarms, type ServiceAlarmsProps } from './lib/service-alarms';
export { DatabaseAlarms, type DatabaseAlarmsProps } from './lib/database-alarms';
export { ReplicationAlarms, taskResourceId, type ReplicationAlarmsProps } from './lib/replication-alarms';
export { OperationsDashboard, type DashboardSection, type OperationsDashboardProps } from './lib/operations-dashboard';
export {
  healthCheckedSides,
  INITIAL_WEIGHTS,
  SET_IDENTIFIERS,
  WeightedCutoverRecords,
  type CutoverEndpoint,
  type CutoverSide,
  type WeightedCutoverRecordsProps,
} from './lib/weighted-cutover-records';
