import { lsnProblem, renderTableMappings, tablePatternProblems } from './dms-table-mappings';

describe('renderTableMappings', () => {
  it('renders one include selection rule per pattern, then excludes the tables DMS itself creates', () => {
    expect(JSON.parse(renderTableMappings(['public.%', 'billing.invoices']))).toEqual({
      rules: [
        { 'rule-type': 'selection', 'rule-id': '1', 'rule-name': 'include-1', 'object-locator': { 'schema-name': 'public', 'table-name': '%' }, 'rule-action': 'include' },
        { 'rule-type': 'selection', 'rule-id': '2', 'rule-name': 'include-2', 'object-locator': { 'schema-name': 'billing', 'table-name': 'invoices' }, 'rule-action': 'include' },
        { 'rule-type': 'selection', 'rule-id': '3', 'rule-name': 'exclude-dms-artefacts', 'object-locator': { 'schema-name': '%', 'table-name': 'awsdms_%' }, 'rule-action': 'exclude' },
      ],
    });
  });

  it('rejects patterns that are not schema.table', () => {
    expect(() => renderTableMappings(['invoices'])).toThrow(/table pattern 'invoices' must be schema.table/);
    expect(() => renderTableMappings(['public.a.b'])).toThrow(/'public.a.b'/);
  });

  it('rejects an empty list and repeats', () => {
    expect(tablePatternProblems([])).toEqual([expect.stringMatching(/tables is empty/)]);
    expect(tablePatternProblems(['public.%', 'public.%'])).toEqual(['table patterns repeat: public.%']);
  });
});

describe('lsnProblem', () => {
  it.each(['16/B374D848', '0/0', 'FFFFFFFF/FFFFFFFF'])('accepts %s', (lsn) => expect(lsnProblem(lsn)).toBeUndefined());
  it.each(['16/b374d848', '16-B374D848', '2024-01-01T00:00:00', '', '/1A'])('rejects %p', (lsn) =>
    expect(lsnProblem(lsn)).toMatch(/is not a PostgreSQL LSN/),
  );
});
