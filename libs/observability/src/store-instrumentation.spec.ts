import { isPostgresFault } from './store-instrumentation';

describe('isPostgresFault', () => {
  it.each([
    ['a unique violation (a metric code taken: ALREADY_EXISTS)', { code: '23505' }, false],
    ['a foreign key violation', { code: '23503' }, false],
    ['a value the column cannot hold', { code: '22P05' }, false],
    ['the server shutting down', { code: '57P01' }, true],
    ['a deadlock', { code: '40P01' }, true],
    ['a connection refused (no SQLSTATE)', new Error('connect ECONNREFUSED'), true],
  ])('%s → fault: %s', (_what, error, fault) => {
    expect(isPostgresFault(error)).toBe(fault);
  });
});
