import { createEnvelope, type NotificationRequestedData } from '@sc/contracts';
import { UnprocessableEventError } from '@sc/messaging';
import { notificationRequestFrom } from './notification-request';

function requestEvent(overrides: Partial<NotificationRequestedData> = {}) {
  return createEnvelope(
    'notification.requested',
    {
      notificationId: '7d1c1f0e-54a5-4c37-9e5c-0b1c3f0a9e21',
      recipientId: 'pharm-ana',
      teamId: 'team-cardio',
      title: 'Patient discharged: call and reconcile medications',
      urgency: 'urgent',
      dueAt: '2026-11-21T20:25:00.000Z',
      link: '/v1/tasks/7d1c1f0e-54a5-4c37-9e5c-0b1c3f0a9e21',
      itemType: 'pharmacy-task',
      itemId: '7d1c1f0e-54a5-4c37-9e5c-0b1c3f0a9e21',
      ...overrides,
    },
    { source: 'test', subject: 'pt-ref', occurredAt: '2026-11-20T20:25:00.000Z', correlationId: 'enc:LGH:V1' },
  );
}

function refusalCode(overrides: Partial<NotificationRequestedData>): string | undefined {
  try {
    notificationRequestFrom(requestEvent(overrides));
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(UnprocessableEventError);
    return (error as UnprocessableEventError).code;
  }
}

describe(notificationRequestFrom.name, () => {
  it('targets the named user, else the team pool', () => {
    expect(notificationRequestFrom(requestEvent()).target).toBe('user:pharm-ana');
    expect(notificationRequestFrom(requestEvent({ recipientId: null })).target).toBe('team:team-cardio');
  });

  it('accepts any stable id a producer derives, not only UUIDs', () => {
    expect(notificationRequestFrom(requestEvent({ notificationId: 'care-gap-opened-42' })).notificationId).toBe('care-gap-opened-42');
    expect(notificationRequestFrom(requestEvent({ notificationId: '7D1C1F0E-54A5-4C37-9E5C-0B1C3F0A9E21' })).notificationId).toBe(
      '7d1c1f0e-54a5-4c37-9e5c-0b1c3f0a9e21',
    );
  });

  it('keeps the escalation rule of an urgent request and drops it from a routine one', () => {
    const urgent = notificationRequestFrom(requestEvent({ escalateAfterSeconds: 600, escalateToTeamLead: true }));
    expect(urgent.escalation).toEqual({ afterSeconds: 600, recipientId: null, toTeamLead: true });
    const routine = notificationRequestFrom(requestEvent({ urgency: 'routine', escalateAfterSeconds: 600 }));
    expect(routine.escalation).toBeNull();
  });

  it.each([
    [{ recipientId: null, teamId: null }, 'NO_RECIPIENT'],
    [{ notificationId: 'has spaces in it' }, 'INVALID_NOTIFICATION_ID'],
    [{ recipientId: 'bad id with spaces' }, 'INVALID_RECIPIENT'],
    [{ title: 'Discharge I25.10 follow-up' }, 'TITLE_HAS_DIAGNOSIS_CODE'],
    [{ title: 'Opioid overdose follow-up' }, 'TITLE_HAS_SENSITIVE_TERM'],
    [{ link: '/v1/tasks?mrn=123' }, 'LINK_NOT_A_PATH'],
    [{ dueAt: 'tomorrow' }, 'INVALID_DUE_AT'],
    [{ escalateAfterSeconds: 0 }, 'INVALID_ESCALATION'],
  ] as Array<[Partial<NotificationRequestedData>, string]>)('refuses %p with %s, never to be retried', (overrides, code) => {
    expect(refusalCode(overrides)).toBe(code);
  });
});
