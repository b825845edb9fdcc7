import { formatReport, type TableReport, type VerifyReport } from './report';

const table = (extra: Partial<TableReport>): TableReport => ({
  table: 'public.t', status: 'identical', identical: true, keyColumns: ['id'], sourceRows: 3, targetRows: 3, schemaDifferences: [],
  rowDifferences: { missingInTarget: 0, extraInTarget: 0, changed: 0 }, contentDiffers: false, rows: [], truncated: false,
  ranges: { compared: 1, differing: 0 }, recheck: { attempts: 0, settled: 0, sourceChangedRanges: 0 }, notes: [], problems: [], seconds: 0.1, ...extra,
});

describe('formatReport', () => {
  it('prints one line per table, its problems, notes and rows with both values, then the summary', () => {
    const report: VerifyReport = {
      identical: false,
      strict: true,
      rowsCompared: 1_234_567,
      seconds: 0.5,
      tables: [
        table({ table: 'public.a', notes: ['1 row differed at first and matched on a recheck (replication lag)'] }),
        table({
          table: 'public.b', status: 'different', identical: false, keyColumns: ['k', 'n'], sourceRows: 1, targetRows: 2,
          rowDifferences: { missingInTarget: 1, extraInTarget: 2, changed: 1 }, truncated: true,
          problems: ['4 differing rows: 1 missing in the target, 2 extra in the target, 1 changed'],
          rows: [
            { kind: 'changed', key: ['x', '1'], columns: [{ column: 'memo', source: null, target: 'a "quoted" value' }] },
            { kind: 'extra-in-target', key: ['y', '2'] },
          ],
        }),
        table({ table: 'public.gone', status: 'missing', identical: false, sourceRows: 5, targetRows: null, problems: ['public.gone is not in the target (5 rows in the source)'] }),
      ],
    };
    expect(formatReport(report).split('\n')).toEqual([
      'OK   public.a: source 3 rows, target 3 rows',
      '     - 1 row differed at first and matched on a recheck (replication lag)',
      'DIFF public.b: source 1 row, target 2 rows',
      '     ! 4 differing rows: 1 missing in the target, 2 extra in the target, 1 changed',
      '       changed (k, n) = (x, 1)',
      '         memo: source NULL, target "a \\"quoted\\" value"',
      '       extra-in-target (k, n) = (y, 2)',
      '       ... 2 more differing rows not listed',
      'DIFF public.gone: source 5 rows, target absent',
      '     ! public.gone is not in the target (5 rows in the source)',
      'DIFFERENT: 3 tables (2 differing), 1,234,567 source rows in 0.5 s (2,469,134 rows/s), strict',
    ]);
  });

  it('says IDENTICAL and copes with an instant run', () => {
    expect(formatReport({ identical: true, strict: false, rowsCompared: 7, seconds: 0, tables: [table({})] }).split('\n')).toEqual([
      'OK   public.t: source 3 rows, target 3 rows',
      'IDENTICAL: 1 table, 7 source rows in 0.0 s (7 rows/s)',
    ]);
  });
});
