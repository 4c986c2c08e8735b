export * from './debtors';
export * from './accounts';
export * from './payments';
export * from './api-keys';
export * from './messages';
export * from './workflow-outbox';
