import type { ClaimedDelivery } from '../deliveries/delivery-queue.repository';
import type { SendResult } from '../deliveries/retry-policy';

/** A channel the send worker pushes deliveries through. */
export interface OutboundSender {
  send(delivery: ClaimedDelivery): Promise<SendResult>;
}

/** Relative item links become absolute when LINK_BASE_URL is set (emails and webhooks leave the system). */
export function absoluteLink(baseUrl: string | undefined, link: string): string {
  return baseUrl ? `${baseUrl}${link}` : link;
}
