// A 300-line "antigüedad de saldos" export as a Mexican ERP writes it: a title above the header, headers
// such as "Cliente ID" and "Razón Social / Nombre", columns nobody asked for, 1,234.56 amounts, dd/mm/yyyy
// dates relative to today, and the mistakes real files carry. Exactly 288 lines are new invoices, 1 repeats
// an earlier line identically, 10 cannot be read and 1 reuses an invoice number with another amount.
import { DateTime } from 'luxon';
import { spanishCsv } from './portfolio-fixtures';

export const ERP_HEADERS = [
  'Cliente ID',
  'Razón Social / Nombre',
  'Tipo de Persona',
  'No. Factura',
  'Fecha Emisión',
  'Fecha Vencimiento',
  'Días Vencidos',
  'Importe Original',
  'Saldo Pendiente',
  'Moneda',
  'Correo Electrónico',
  'Teléfono / Celular',
  'Vendedor',
  'Sucursal',
] as const;

export const ERP_LINES = 300;
export const ERP_COUNTS = { new: 288, repeated: 1, refused: 11, unreadable: 10 } as const;

const NAMES = ['Ana López', 'Luis Hernández', 'María García', 'José Martínez', 'Rosa Sánchez', 'Juan Ramírez'];
const COMPANIES = ['Abarrotes del Bajío SA de CV', 'Ferretería Monterrey', 'Distribuidora Azteca', 'Grupo Pacífico'];

const money = (minor: number) =>
  `${Math.floor(minor / 100).toLocaleString('en-US')}.${String(minor % 100).padStart(2, '0')}`;
const date = (d: DateTime) => d.toFormat('dd/MM/yyyy');

export interface ErpExport {
  bytes: Buffer;
  /** Debtors ("Cliente ID") whose lines were all readable, so each has an account after the import. */
  debtors: { id: string; kind: 'person' | 'company'; oldestDaysPastDue: number }[];
}

/** `prefix` keeps ids unique between runs sharing one database. */
export function erpExport(prefix: string, today = DateTime.now().setZone('America/Mexico_City')): ErpExport {
  const rows: string[][] = [];
  const debtors = new Map<string, { id: string; kind: 'person' | 'company'; oldestDaysPastDue: number }>();
  // 96 debtors with 3 invoices each: 288 new lines.
  for (let i = 0; i < ERP_COUNTS.new; i += 1) {
    const d = Math.floor(i / 3);
    const company = d % 4 === 3;
    const id = `${prefix}-C${String(d).padStart(4, '0')}`;
    // Spread from 30 days ahead to 249 days overdue: every stage of both built-in strategies gets some.
    const daysPastDue = ((d * 37 + (i % 3) * 11) % 280) - 30;
    const due = today.minus({ days: daysPastDue });
    const original = 50_000 + ((i * 7919) % 4_000_000);
    const known = debtors.get(id);
    const oldest = Math.max(known?.oldestDaysPastDue ?? -Infinity, daysPastDue);
    debtors.set(id, { id, kind: company ? 'company' : 'person', oldestDaysPastDue: oldest });
    rows.push([
      id,
      company ? (COMPANIES[d % COMPANIES.length] ?? '') : (NAMES[d % NAMES.length] ?? ''),
      company ? 'Moral' : 'Física',
      `${prefix}-A${String(10_000 + i)}`,
      date(due.minus({ days: 30 })),
      date(due),
      String(Math.max(0, daysPastDue)),
      money(original + 10_000),
      money(original),
      'MXN',
      i % 5 === 0 ? '' : `cliente${d}@ejemplo.com.mx`,
      i % 4 === 0 ? '' : `55 ${String(1000 + d).slice(-4)} ${String(5000 + i).slice(-4)}`,
      'Vendedor 0' + String(d % 7),
      d % 2 ? 'Guadalajara' : 'CDMX',
    ]);
  }
  const good = (index: number) => [...(rows[index] ?? [])];
  const broken = (index: number, column: number, value: string) => {
    const row = good(index);
    row[3] = `${prefix}-B${index}`;
    row[0] = `${prefix}-X${index}`;
    row[column] = value;
    return row;
  };
  const special: string[][] = [
    good(40), // the same line twice: an identical repeat, not a new invoice
    broken(1, 8, '-1,250.00'),
    broken(2, 8, '#N/A'),
    broken(3, 5, '31/02/2026'),
    broken(4, 5, 'pendiente'),
    broken(5, 0, ''),
    broken(6, 1, ''),
    broken(7, 10, 'sin correo'),
    broken(8, 8, '0.00'),
    broken(9, 2, 'Cooperativa'),
    broken(10, 8, 'mil pesos'),
  ];
  // An invoice number already in the file with another amount: refused when stored (409), not overwritten.
  const conflicting = good(70);
  conflicting[8] = money(123_456);
  special.push(conflicting);
  // Spread the specials through the file so they land in different chunks.
  const lines = [...rows];
  special.forEach((row, k) => lines.splice(20 + k * 25, 0, row));
  if (lines.length !== ERP_LINES) throw new Error(`the ERP fixture has ${lines.length} lines`);
  return {
    bytes: spanishCsv([[`Antigüedad de saldos de clientes al ${date(today)}`], [], [...ERP_HEADERS], ...lines]),
    debtors: [...debtors.values()],
  };
}
