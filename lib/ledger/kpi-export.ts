// The KPIs of GET /v1/kpis as an export: one row per group (its key, then every figure), the per-channel and
// per-reason counts spread into one column each (`messages.email`, `deferred.outside_window`, …).
import type { Db } from '../../db/client';
import type { Kpis } from '../../strategies/kpis';
import type { KpiGroup, KpiQuery } from '../kpis/ledger-kpis';
import { rollupKpis } from '../kpis/rollups';
import type { ColumnKind, ExportColumn, ExportSource } from './exports';

type MapField = 'messages' | 'tasks' | 'deferred' | 'skipped' | 'closed';
const MAP_FIELDS: readonly MapField[] = ['messages', 'tasks', 'deferred', 'skipped', 'closed'];
const SCALARS: readonly [Exclude<keyof Kpis, MapField>, ColumnKind][] = [
  ['currency', 'text'],
  ['accounts', 'int'],
  ['opened', 'int'],
  ['placed', 'decimal'],
  ['collected', 'decimal'],
  ['recovered', 'decimal'],
  ['recoveryRate', 'number'],
  ['promises', 'int'],
  ['promisesKept', 'int'],
  ['promisesBroken', 'int'],
  ['keptRate', 'number'],
  ['attempts', 'int'],
  ['rightPartyContacts', 'int'],
  ['rpcRate', 'number'],
];

function rowsOf(groups: KpiGroup[], q: KpiQuery): { columns: ExportColumn[]; rows: unknown[][] } {
  const mapKeys = MAP_FIELDS.map((field) => ({
    field,
    keys: [...new Set(groups.flatMap((g) => Object.keys(g[field])))].sort(),
  }));
  const columns: ExportColumn[] = [
    ...q.groupBy.map((d): ExportColumn => ({ header: d, kind: d === 'version' ? 'int' : 'text' })),
    ...SCALARS.map(([header, kind]) => ({ header, kind })),
    ...mapKeys.flatMap(({ field, keys }) => keys.map((k) => ({ header: `${field}.${k}`, kind: 'int' as const }))),
  ];
  const rows = groups.map((g) => [
    ...q.groupBy.map((d) => g.key[d] ?? null),
    ...SCALARS.map(([field]) => g[field]),
    ...mapKeys.flatMap(({ field, keys }) => keys.map((k) => g[field][k] ?? 0)),
  ]);
  return { columns, rows };
}

/** KPI groups are few (one per key and currency): computed at once, written as one batch. */
export async function kpiExportSource(db: Db, q: KpiQuery): Promise<ExportSource> {
  const { columns, rows } = rowsOf(await rollupKpis(db, q), q);
  return {
    columns,
    currencyColumn: 'currency',
    batches: [rows],
  };
}
