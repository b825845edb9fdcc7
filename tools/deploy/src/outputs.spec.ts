import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenOutputs, writeOutputs } from './outputs';

describe('outputs', () => {
  const byStack = {
    'dev-network': { vpc_id: { value: 'vpc-123' }, private_subnet_ids: { value: ['subnet-1', 'subnet-2'] } },
    'dev-data': { database_endpoint: { value: 'db:5432' }, master_password: { value: 'hunter2', sensitive: true } },
  };

  it('flattens outputs with the stack as prefix and leaves sensitive ones out', () => {
    expect(flattenOutputs(byStack)).toEqual({
      'dev-data_database_endpoint': 'db:5432',
      'dev-network_private_subnet_ids': ['subnet-1', 'subnet-2'],
      'dev-network_vpc_id': 'vpc-123',
    });
  });

  it('writes the flat file and per-stack files without any sensitive value', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'outputs-')), 'cfn-outputs');
    const flat = writeOutputs(dir, byStack);
    expect(flat).toBe(join(dir, 'flat-outputs.json'));
    expect(JSON.parse(readFileSync(flat, 'utf8'))['dev-network_vpc_id']).toBe('vpc-123');
    expect(JSON.parse(readFileSync(join(dir, 'dev-data.json'), 'utf8')).master_password.sensitive).toBe(true);
    expect(readFileSync(flat, 'utf8')).not.toContain('hunter2');
    expect(readFileSync(join(dir, 'dev-data.json'), 'utf8')).not.toContain('hunter2');
    expect(JSON.parse(readFileSync(join(dir, 'dev-data.json'), 'utf8')).master_password).toEqual({ sensitive: true });
  });
});
