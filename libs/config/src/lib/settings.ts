/**
 * Per-environment sizing and protection settings. The baseline applies to every
 * environment; a tier (production / non-production) and then the environment's
 * own overrides change only what differs; preview copies get the rules in
 * {@link PREVIEW_RULES} last, so that they always destroy cleanly.
 */
export interface NetworkSettings {
  /** Availability zones the VPC spans (2..6). */
  readonly azCount: number;
  /** `per-az`: a NAT gateway in every AZ; `single`: one shared gateway. */
  readonly natGateways: 'per-az' | 'single';
  /** Interface endpoints for ECR, CloudWatch Logs and Secrets Manager, so private tasks need no NAT to pull. */
  readonly interfaceEndpoints: boolean;
}

export interface DatabaseSettings {
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  /** Upper bound for storage autoscaling. */
  readonly maxAllocatedStorageGb: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  /** When false, a final snapshot is taken on destroy. */
  readonly skipFinalSnapshot: boolean;
  /** Performance Insights retention: 7 (free tier) or a multiple of 31 up to 731. */
  readonly performanceInsightsRetentionDays: number;
  /** Enhanced monitoring interval: 0 (off), 1, 5, 10, 15, 30 or 60 seconds. */
  readonly monitoringIntervalSeconds: number;
  readonly backupWindow: string;
  readonly maintenanceWindow: string;
}

export interface ServiceSettings {
  /** Fargate task CPU units (256, 512, 1024, 2048, 4096). */
  readonly cpu: number;
  /** Fargate task memory in MiB, valid for the CPU size. */
  readonly memoryMib: number;
  readonly desiredCount: number;
  readonly minCount: number;
  readonly maxCount: number;
  /** Target average CPU utilisation for scaling, percent. */
  readonly cpuTargetPercent: number;
  /** Target ALB requests per task per minute for scaling. */
  readonly requestsPerTarget: number;
}

export interface LoadBalancerSettings {
  readonly deletionProtection: boolean;
  readonly accessLogs: boolean;
  readonly idleTimeoutSeconds: number;
}

export interface StorageSettings {
  /** Buckets are emptied on destroy (previews only). */
  readonly forceDestroy: boolean;
  /** Server access logs for data buckets. */
  readonly accessLogs: boolean;
  readonly noncurrentVersionExpirationDays: number;
  /** Deletion protection on DynamoDB tables. */
  readonly tableDeletionProtection: boolean;
  /** Days a deleted Secrets Manager secret can be restored (0 deletes at once, so a preview can be re-created). */
  readonly secretRecoveryWindowDays: number;
}

export interface LogSettings {
  /** CloudWatch Logs retention in days (one of the values CloudWatch accepts). */
  readonly retentionDays: number;
}

export interface MigrationSettings {
  readonly dmsInstanceClass: string;
  readonly dmsMultiAz: boolean;
  readonly dmsAllocatedStorageGb: number;
}

export interface AlarmSettings {
  readonly alb5xxPercent: number;
  readonly unhealthyHosts: number;
  readonly serviceCpuPercent: number;
  readonly serviceMemoryPercent: number;
  readonly databaseCpuPercent: number;
  readonly databaseFreeStorageGb: number;
  readonly databaseConnections: number;
  readonly dmsCdcLatencySeconds: number;
}

export interface EnvironmentSettings {
  readonly network: NetworkSettings;
  readonly database: DatabaseSettings;
  readonly service: ServiceSettings;
  readonly loadBalancer: LoadBalancerSettings;
  readonly storage: StorageSettings;
  readonly logs: LogSettings;
  readonly migration: MigrationSettings;
  readonly alarms: AlarmSettings;
}

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
  migration: { dmsInstanceClass: 'dms.t3.medium', dmsMultiAz: false, dmsAllocatedStorageGb: 50 },
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
    migration: { dmsInstanceClass: 'dms.r6i.large', dmsMultiAz: true, dmsAllocatedStorageGb: 200 },
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
