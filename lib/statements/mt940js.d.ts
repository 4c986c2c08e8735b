// The parts of mt940js (no types of its own) the MT940 reader uses.
declare module 'mt940js' {
  export interface Mt940Tag {
    id: number | string;
    data: string;
  }
  export interface Mt940Transaction {
    date: Date;
    entryDate?: Date | string;
    amount: number;
    reversal: boolean;
    currency: string;
    details: string;
    transactionType: string;
    reference: string;
    bankReference?: string;
    extraDetails?: string;
    structuredDetails?: Record<string, string>;
  }
  export interface Mt940Statement {
    transactionReference: string;
    accountIdentification: string;
    currency: string;
    statementDate: Date;
    transactions: Mt940Transaction[];
    tags?: Mt940Tag[];
  }
  export class Parser {
    constructor(options?: { no86Structure?: boolean });
    parse(data: string, withTags?: boolean): Mt940Statement[];
  }
  const mt940js: { Parser: typeof Parser };
  export default mt940js;
}
