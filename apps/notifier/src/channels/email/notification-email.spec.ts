import { composeNotificationEmail, encodeHeaderValue } from './notification-email';

describe(composeNotificationEmail.name, () => {
  const mail = {
    from: 'notifications@sc.test',
    to: 'nurse@hospital.test',
    messageId: 'n-1.nurse-1@synchronized-care',
    date: new Date('2026-11-20T12:00:00Z'),
    title: 'Patient discharged: call and reconcile medications',
    urgency: 'urgent' as const,
    dueAt: new Date('2026-11-21T20:25:00Z'),
    link: 'https://care.example/v1/tasks/t-1',
  };

  it('carries title, urgency, due time and link, base64 encoded under headers', () => {
    const message = composeNotificationEmail(mail);
    const [head, body] = message.split('\r\n\r\n');
    expect(head).toContain('Subject: [Urgent] Patient discharged: call and reconcile medications');
    expect(head).toContain('Message-ID: <n-1.nurse-1@synchronized-care>');
    expect(head).toContain('Date: Fri, 20 Nov 2026 12:00:00 +0000');
    const text = Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8');
    expect(text).toContain('Due: 2026-11-21T20:25:00.000Z');
    expect(text).toContain('Open: https://care.example/v1/tasks/t-1');
    expect(body.split('\r\n').every((line) => line.length <= 76)).toBe(true);
  });

  it('encodes non-ASCII subjects so they cannot break the header block', () => {
    expect(encodeHeaderValue('Médication à revoir')).toBe(`=?UTF-8?B?${Buffer.from('Médication à revoir').toString('base64')}?=`);
    expect(encodeHeaderValue('plain')).toBe('plain');
  });
});
