import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { servicesOf } from './serve';

jest.setTimeout(120_000);

describe('servicesOf', () => {
  it('takes postgres and dynamodb, once each, and names anything else', () => {
    expect(servicesOf(['postgres', 'dynamodb', 'postgres'])).toEqual(['postgres', 'dynamodb']);
    expect(() => servicesOf([])).toThrow('name at least one service. usage: tsx tools/testing/src/serve.ts <postgres|dynamodb>...');
    expect(() => servicesOf(['postgres', 'mysql'])).toThrow("unknown service 'mysql': expected postgres or dynamodb.");
    expect(() => servicesOf(['--port'])).toThrow("unknown service '--port'");
  });
});

describe('serve.ts', () => {
  const tsx = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');

  it('prints the environment naming a running PostgreSQL, and stops it when its stdin closes', async () => {
    const child = spawn(tsx, [join(__dirname, 'serve.ts'), 'postgres'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.on('exit', (code) => reject(new Error(`serve.ts exited with ${code}`)));
    });
    const env = JSON.parse(line) as Record<string, string>;
    expect(Object.keys(env)).toEqual(['ESTATE_POSTGRES']);
    expect(env['ESTATE_POSTGRES']).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+$/);
    const client = new Client({ connectionString: `${env['ESTATE_POSTGRES']}/postgres` });
    await client.connect();
    // Settings a spec may ask for, so that it can share this server.
    expect((await client.query('SHOW wal_level')).rows).toEqual([{ wal_level: 'logical' }]);
    expect((await client.query('SHOW autovacuum')).rows).toEqual([{ autovacuum: 'off' }]);
    await client.end();

    child.stdin.end();
    expect(await exited).toBe(0);
    const after = new Client({ connectionString: `${env['ESTATE_POSTGRES']}/postgres` });
    await expect(after.connect()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('exits 2 naming an unknown service, and 0 with the usage for --help', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(tsx, [join(__dirname, 'serve.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('exit', (code) => resolve({ code, out, err }));
      });
    expect(await run(['redis'])).toEqual({ code: 2, out: '', err: "serve: unknown service 'redis': expected postgres or dynamodb. usage: tsx tools/testing/src/serve.ts <postgres|dynamodb>...\n" });
    expect(await run(['--help'])).toEqual({ code: 0, out: 'usage: tsx tools/testing/src/serve.ts <postgres|dynamodb>...\n', err: '' });
  });
});
