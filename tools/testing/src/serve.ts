// Starts engines for a whole run of many test processes, so that each spec file uses them
// instead of starting its own (mutation testing runs a spec file once per mutant):
//   tsx tools/testing/src/serve.ts postgres dynamodb
// prints one JSON line, the environment that points the harnesses at them (ESTATE_POSTGRES,
// ESTATE_DYNAMODB_LOCAL), then keeps them until SIGTERM or SIGINT or until its stdin closes
// (the process that started it is gone), and stops them.
import { SHARED_DYNAMODB_LOCAL, startLocalDynamo } from './dynamodb-local';
import { SHARED_POSTGRES, startPostgres } from './postgres';

const SERVICES = ['postgres', 'dynamodb'] as const;
type Service = (typeof SERVICES)[number];
const USAGE = `usage: tsx tools/testing/src/serve.ts <${SERVICES.join('|')}>...`;

/** The services named on the command line; throws on anything else. */
export function servicesOf(args: readonly string[]): Service[] {
  if (args.length === 0) throw new Error(`name at least one service. ${USAGE}`);
  for (const arg of args) {
    if (!(SERVICES as readonly string[]).includes(arg)) throw new Error(`unknown service '${arg}': expected ${SERVICES.join(' or ')}. ${USAGE}`);
  }
  return [...new Set(args)] as Service[];
}

interface Running {
  readonly env: Record<string, string>;
  readonly stop: () => Promise<void>;
}

/**
 * Starts the services, each a fresh one whatever the environment says. The PostgreSQL server
 * is a logical-replication publisher without autovacuum (a spec that asks for that can use it;
 * one that asks for something else starts its own) with room for many test processes.
 */
export async function serve(services: readonly Service[]): Promise<Running> {
  const running: Running[] = [];
  try {
    for (const service of services) {
      if (service === 'postgres') {
        const server = await startPostgres({ logical: true, settings: { autovacuum: 'off', max_connections: 200 } }, {});
        running.push({ env: { [SHARED_POSTGRES]: `postgres://postgres@127.0.0.1:${server.port}` }, stop: () => server.stop() });
      } else {
        const dynamo = await startLocalDynamo(150_000, {});
        running.push({ env: { [SHARED_DYNAMODB_LOCAL]: dynamo.endpoint }, stop: () => dynamo.stop() });
      }
    }
  } catch (error) {
    await Promise.allSettled(running.map((r) => r.stop()));
    throw error;
  }
  return {
    env: Object.assign({}, ...running.map((r) => r.env)),
    stop: async () => {
      await Promise.allSettled(running.map((r) => r.stop()));
    },
  };
}

async function main(args: readonly string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const running = await serve(servicesOf(args));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void running.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
  process.stdin.on('end', stop).on('close', stop).resume();
  console.log(JSON.stringify(running.env));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`serve: ${error.message}`);
    process.exit(2);
  });
}
