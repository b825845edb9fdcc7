import type { z } from 'zod';
import type { DeepReadonly } from './organisation';
import type { environmentSettingsSchema } from './schema';

/**
 * Per-environment sizing and protection settings. The baseline applies to every
 * environment; a tier (production / non-production) and then the environment's
 * own overrides change only what differs; preview copies get the rules in
 * {@link PREVIEW_RULES} last, so that they always destroy cleanly.
 */
export type NetworkSettings = EnvironmentSettings['network'];
export type DatabaseSettings = EnvironmentSettings['database'];
export type ServiceSettings = EnvironmentSettings['service'];
export type LoadBalancerSettings = EnvironmentSettings['loadBalancer'];
export type StorageSettings = EnvironmentSettings['storage'];
export type LogSettings = EnvironmentSettings['logs'];
export type MigrationSettings = EnvironmentSettings['migration'];
export type AlarmSettings = EnvironmentSettings['alarms'];

/** Complete settings of one environment, inferred from `environmentSettingsSchema` (field docs there). */
export type EnvironmentSettings = DeepReadonly<z.output<typeof environmentSettingsSchema>>;

export type DeepPartial<T> = { readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export type Tier = 'production' | 'non-production';

/** What every environment gets unless something says otherwise. */
export const BASELINE_SETTINGS: EnvironmentSettings = {
  network: { azCount: 2, natGateways: 'single', interfaceEndpoints: false },
  database: {
    instanceClass: 'db.t4g.medium',
    allocatedStorageGb: 50,
    maxAllocatedStorageGb: 200,
    multiAz: false,
    backupRetentionDays: 7,
    deletionProtection: false,
    skipFinalSnapshot: false,
    performanceInsightsRetentionDays: 7,
    monitoringIntervalSeconds: 60,
    backupWindow: '03:00-04:00',
    maintenanceWindow: 'sun:05:00-sun:06:00',
  },
  service: {
    cpu: 512,
    memoryMib: 1024,
    desiredCount: 1,
    minCount: 1,
    maxCount: 3,
    cpuTargetPercent: 60,
    requestsPerTarget: 1000,
  },
  loadBalancer: { deletionProtection: false, accessLogs: false, idleTimeoutSeconds: 60 },
  storage: { forceDestroy: false, accessLogs: false, noncurrentVersionExpirationDays: 30, tableDeletionProtection: false, secretRecoveryWindowDays: 7 },
  logs: { retentionDays: 30 },
  migration: { dmsInstanceClass: 'dms.t3.medium', dmsMultiAz: false, dmsAllocatedStorageGb: 50, data: 'production-copy', freezeBudgetSeconds: 30, rollbackWindowMinutes: 60 },
  alarms: {
    alb5xxPercent: 5,
    unhealthyHosts: 1,
    serviceCpuPercent: 85,
    serviceMemoryPercent: 85,
    databaseCpuPercent: 80,
    databaseFreeStorageGb: 10,
    databaseConnections: 200,
    dmsCdcLatencySeconds: 300,
  },
};

/** Production protections: applied after organisation defaults, before the environment's own overrides. */
export const TIER_SETTINGS: Record<Tier, DeepPartial<EnvironmentSettings>> = {
  'non-production': {},
  production: {
    network: { azCount: 3, natGateways: 'per-az', interfaceEndpoints: true },
    database: {
      instanceClass: 'db.r6g.large',
      allocatedStorageGb: 200,
      maxAllocatedStorageGb: 1000,
      multiAz: true,
      backupRetentionDays: 14,
      deletionProtection: true,
      performanceInsightsRetentionDays: 31,
      monitoringIntervalSeconds: 15,
    },
    service: { cpu: 1024, memoryMib: 2048, desiredCount: 3, minCount: 3, maxCount: 12 },
    loadBalancer: { deletionProtection: true, accessLogs: true },
    storage: { accessLogs: true, noncurrentVersionExpirationDays: 90, tableDeletionProtection: true, secretRecoveryWindowDays: 30 },
    logs: { retentionDays: 365 },
    migration: { dmsInstanceClass: 'dms.r6i.large', dmsMultiAz: true, dmsAllocatedStorageGb: 200, data: 'production-copy', rollbackWindowMinutes: 1440 },
    alarms: { alb5xxPercent: 1, databaseConnections: 800 },
  },
};

/**
 * Preview copies (ENVIRONMENT_SUFFIX set) must destroy cleanly in CI and cost little:
 * this is the one place that decides how they differ.
 */
export const PREVIEW_RULES: DeepPartial<EnvironmentSettings> = {
  network: { azCount: 2, natGateways: 'single', interfaceEndpoints: false },
  database: {
    instanceClass: 'db.t4g.micro',
    allocatedStorageGb: 20,
    maxAllocatedStorageGb: 50,
    multiAz: false,
    backupRetentionDays: 1,
    deletionProtection: false,
    skipFinalSnapshot: true,
    performanceInsightsRetentionDays: 7,
    monitoringIntervalSeconds: 0,
  },
  service: { cpu: 256, memoryMib: 512, desiredCount: 1, minCount: 1, maxCount: 2 },
  loadBalancer: { deletionProtection: false, accessLogs: false },
  storage: { forceDestroy: true, accessLogs: false, noncurrentVersionExpirationDays: 1, tableDeletionProtection: false, secretRecoveryWindowDays: 0 },
  logs: { retentionDays: 3 },
  migration: { dmsInstanceClass: 'dms.t3.micro', dmsMultiAz: false, dmsAllocatedStorageGb: 20 },
};

/** Deep-merges partial settings over a complete base (arrays and scalars replace). */
export function mergeSettings<T extends object>(base: T, ...layers: (DeepPartial<T> | undefined)[]): T {
  let result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const layer of layers) {
    if (!layer) continue;
    const next: Record<string, unknown> = { ...result };
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const current = result[key];
      next[key] =
        isPlainObject(value) && isPlainObject(current) ? mergeSettings(current, value as DeepPartial<object>) : value;
    }
    result = next;
  }
  return result as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Valid Fargate CPU → memory (MiB) combinations for the sizes we offer. */
export const FARGATE_MEMORY: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};
