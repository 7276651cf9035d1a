import { planDeliveries, planTeamDeliveries, uniqueDeliveries, type DeliveryPreferences } from './delivery-plan';

describe(planDeliveries.name, () => {
  const now = new Date('2026-11-21T05:30:00Z'); // 23:30 in Chicago
  const nightOwl: DeliveryPreferences = {
    channels: ['sse', 'webhook', 'email'],
    quietHours: { start: '22:00', end: '07:00', timeZone: 'America/Chicago' },
  };

  it('gives a person without preferences the live feed only', () => {
    expect(planDeliveries('user:pharm-ana', undefined, 'routine', now)).toEqual([{ channel: 'sse', recipient: 'user:pharm-ana', deferredUntil: null }]);
  });

  it('defers routine items on webhook and email until quiet hours end, but not on the live feed', () => {
    const plan = planDeliveries('user:nurse-1', nightOwl, 'routine', now);
    expect(plan.map((delivery) => [delivery.channel, delivery.deferredUntil?.toISOString() ?? null])).toEqual([
      ['sse', null],
      ['webhook', '2026-11-21T13:00:00.000Z'],
      ['email', '2026-11-21T13:00:00.000Z'],
    ]);
  });

  it('lets urgent items through quiet hours', () => {
    expect(planDeliveries('user:nurse-1', nightOwl, 'urgent', now).every((delivery) => delivery.deferredUntil === null)).toBe(true);
  });

  it('sends a team pool notification to the team feed only', () => {
    expect(planDeliveries('team:cardio', nightOwl, 'routine', now)).toEqual([{ channel: 'sse', recipient: 'team:cardio', deferredUntil: null }]);
  });
});

describe(planTeamDeliveries.name, () => {
  const now = new Date('2026-11-21T05:30:00Z'); // 23:30 in Chicago
  const quietAtNight = { start: '22:00', end: '07:00', timeZone: 'America/Chicago' };
  const members = [
    { recipientId: 'nurse-hook', preferences: { channels: ['sse', 'webhook'] as const, quietHours: null } },
    { recipientId: 'nurse-sleeps', preferences: { channels: ['email'] as const, quietHours: quietAtNight } },
    { recipientId: 'nurse-feed-only', preferences: { channels: ['sse'] as const, quietHours: null } },
    { recipientId: 'nurse-never-chose', preferences: undefined },
  ];
  const summary = (urgency: 'routine' | 'urgent') =>
    planTeamDeliveries('team:ward-7', members, urgency, now).map((delivery) => [delivery.channel, delivery.recipient, delivery.deferredUntil?.toISOString() ?? null]);

  it("keeps the team's pool feed and adds each member's own webhook and email, but no personal feed item", () => {
    expect(summary('urgent')).toEqual([
      ['sse', 'team:ward-7', null],
      ['webhook', 'user:nurse-hook', null],
      ['email', 'user:nurse-sleeps', null],
    ]);
  });

  it("holds a routine team item back on a member's channels during that member's quiet hours only", () => {
    expect(summary('routine')).toEqual([
      ['sse', 'team:ward-7', null],
      ['webhook', 'user:nurse-hook', null],
      ['email', 'user:nurse-sleeps', '2026-11-21T13:00:00.000Z'],
    ]);
  });

  it('gives a team without members the pool feed alone', () => {
    expect(planTeamDeliveries('team:empty', [], 'routine', now)).toEqual([{ channel: 'sse', recipient: 'team:empty', deferredUntil: null }]);
  });
});

describe(uniqueDeliveries.name, () => {
  it('sends a person reached directly and through a team each channel once', () => {
    const now = new Date('2026-11-21T05:30:00Z');
    const preferences: DeliveryPreferences = { channels: ['sse', 'webhook'], quietHours: null };
    const planned = uniqueDeliveries([
      ...planDeliveries('user:nurse-1', preferences, 'urgent', now),
      ...planTeamDeliveries('team:a', [{ recipientId: 'nurse-1', preferences }], 'urgent', now),
      ...planTeamDeliveries('team:b', [{ recipientId: 'nurse-1', preferences }], 'urgent', now),
    ]);
    expect(planned.map((delivery) => `${delivery.channel} ${delivery.recipient}`)).toEqual([
      'sse user:nurse-1',
      'webhook user:nurse-1',
      'sse team:a',
      'sse team:b',
    ]);
  });
});
