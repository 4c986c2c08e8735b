// Failure messages and stack traces travel as an encoded payload, so the payload codec encrypts them like
// every other payload. CommonJS on purpose: the Temporal SDK require()s this file by path, in the worker,
// in clients and in the workflow bundle, where no TypeScript loader may be installed.
const { DefaultFailureConverter } = require('@temporalio/common'); // eslint-disable-line @typescript-eslint/no-require-imports

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
