// Public surface of the deterministic decision core (safe to import from Temporal workflow code).
export { decide, nextWakeAt } from './engine';
export { checkPlan, checkPromise, planInterest } from './agreements';
export { initialState } from './state';
export { toView } from './view';
export type { AccountView, NextAction } from './view';
export { currencyDigits, formatMinor, parseMinor, isAtLeastPercent } from './money';
export { localInstant, localDate, isoLocal, addDays, weekday } from './calendar';
export { blockReason, nextAllowedInstant } from './compliance';
export type * from './types';
export { adoptStrategyVersion } from './versions';
export { withDebtorContacts } from './debtor-contacts';
