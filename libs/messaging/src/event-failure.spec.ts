import { UnprocessableEventError, decideOnFailure, isInfrastructureUnavailable } from './event-failure';

describe(decideOnFailure.name, () => {
  it('waits out an unreachable database instead of spending attempts', () => {
    expect(decideOnFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('wait');
    // pg's "the database system is shutting down", wrapped the way TypeORM wraps driver errors.
    expect(decideOnFailure({ name: 'QueryFailedError', message: 'query failed', driverError: { code: '57P01', message: 'terminating connection due to administrator command' } })).toBe('wait');
    expect(decideOnFailure(new Error('Connection terminated unexpectedly'))).toBe('wait');
    expect(decideOnFailure({ code: '08006', message: 'connection failure' })).toBe('wait');
  });

  it('retries unknown errors and dead-letters unprocessable events', () => {
    expect(decideOnFailure(new Error('deadlock detected'))).toBe('retry');
    expect(decideOnFailure({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBe('retry');
    expect(decideOnFailure(new UnprocessableEventError('BAD_DATA', 'no discharge time'))).toBe('dead-letter');
  });

  it('does not mistake an application error for an outage', () => {
    expect(isInfrastructureUnavailable(new UnprocessableEventError('CONNECTION_UNKNOWN', 'unknown connection id'))).toBe(false);
    expect(isInfrastructureUnavailable(undefined)).toBe(false);
  });
});
