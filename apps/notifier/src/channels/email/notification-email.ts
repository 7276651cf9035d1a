import type { NotificationUrgency } from '@sc/contracts';

export interface NotificationEmail {
  from: string;
  to: string;
  /** Stable per notification and recipient, so a resent copy can be recognised by mail clients. */
  messageId: string;
  date: Date;
  title: string;
  urgency: NotificationUrgency;
  dueAt: Date | null;
  link: string;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** RFC 2047 encoded-word for anything outside printable ASCII (also neutralises CR/LF). */
export function encodeHeaderValue(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

function base64Lines(text: string): string {
  return (Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

export function emailSubject(title: string, urgency: NotificationUrgency): string {
  return urgency === 'urgent' ? `[Urgent] ${title}` : title;
}

/**
 * A plain-text message with the minimum a person needs to find the work: title, urgency, due
 * time and link. No patient details; the link opens the item behind the organisation's login.
 */
export function composeNotificationEmail(mail: NotificationEmail): string {
  const body = [
    mail.urgency === 'urgent' ? 'Urgent work item' : 'New work item',
    '',
    mail.title,
    `Due: ${mail.dueAt ? mail.dueAt.toISOString() : 'no due time'}`,
    `Open: ${mail.link}`,
    '',
    'This message carries no patient details; open the link to see the item.',
  ].join('\n');
  const headers = [
    `From: ${mail.from}`,
    `To: ${mail.to}`,
    `Subject: ${encodeHeaderValue(emailSubject(mail.title, mail.urgency))}`,
    `Date: ${rfc5322Date(mail.date)}`,
    `Message-ID: <${mail.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    'Auto-Submitted: auto-generated',
    ...(mail.urgency === 'urgent' ? ['Importance: high'] : []),
  ];
  return `${headers.join('\r\n')}\r\n\r\n${base64Lines(body)}`;
}
