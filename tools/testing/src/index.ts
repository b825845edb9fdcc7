// Harnesses that start real engines for tests and benchmarks: each picks free loopback ports and
// stops what it started, by pid. Imported by tests and benchmarks only (lint enforces it).
export { freePort } from './free-port';
export { findPostgresBinaries, INSTALL_HINT, SHARED_POSTGRES, startPostgres, type CreateDatabaseOptions, type PostgresServer, type StartPostgresOptions } from './postgres';
export { createLedgerTable, localDynamoForSpec, SHARED_DYNAMODB_LOCAL, startLocalDynamo, type LocalDynamo } from './dynamodb-local';
export {
  createTerraformFixture,
  findTerraform,
  TERRAFORM_INSTALL_HINT,
  type FixtureAppSpec,
  type FixtureStackSpec,
  type TerraformFixture,
} from './terraform-fixture';
export { describeWithTool } from './needs-tool';
