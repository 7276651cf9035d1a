import { planDeliveries, type DeliveryPreferences } from './delivery-plan';

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
