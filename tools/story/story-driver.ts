import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatHl7Timestamp } from '@sc/hl7';
import { MllpClient } from '@sc/mllp';
import type { Role } from '@sc/security';
import { SseClient, eventually, type SseEvent } from '@sc/testing';
import { findRepoRoot } from '../stack/process';

type ServiceName = 'adt-ingest' | 'pharmacy-alert' | 'care-gap' | 'referral' | 'notifier';

/** Where the running system is and how to get tokens for it (the stack, or a test's SystemUnderTest). */
export interface StoryEndpoints {
  url(service: ServiceName, pathname: string): string;
  mllpPort: number;
  authorization(sub: string, roles: Role[], teams?: string[]): { Authorization: string };
}

export const PHARMACY_TEAM = 'team-specialty';
export const NURSING_TEAM = 'nursing';
export const PHARMACIST = 'pharm-ana';
export const SPANISH_PHARMACIST = 'pharm-luis';
export const TEAM_LEAD = 'lead-kim';
export const NURSE = 'rn-rosa';

export interface Task {
  id: string;
  kind: string;
  status: string;
  priority: string;
  dueAt: string;
  dischargedAt: string | null;
  assigneeId: string | null;
  patientId: string;
  subject: string;
  correlationId: string;
  completedAt: string | null;
}

export interface Referral {
  id: string;
  type: string;
  status: string;
  subject: string;
  claimedBy: string | null;
}

export interface Gap {
  id: string;
  gapType: string;
  status: string;
  item: { system: string; code: string };
  coverage: { determination: string };
}

export interface TimelineEntry {
  occurredAt: string;
  team: string;
  kind: string;
  actorId: string;
  summary: string;
}

/** The story's hospital messages (shared/fixtures/hl7), re-timed and re-numbered so the story can run any day, any number of times. */
export class StoryMessages {
  constructor(private readonly tag: string) {}

  private fixture(name: string): string {
    const root = findRepoRoot();
    for (const candidate of [path.join(root, '..', 'shared', 'fixtures', 'hl7', name), path.join(root, 'libs', 'hl7', 'src', '__fixtures__', name)]) {
      try {
        return readFileSync(candidate, 'utf8');
      } catch {
        // try the next place
      }
    }
    throw new Error(`fixture ${name} not found`);
  }

  private retime(text: string, controlId: string, at: Date, changes: { mrn?: string; family?: string; given?: string; language?: string; disposition?: string }): string {
    const hl7 = formatHl7Timestamp(at);
    let message = text
      .replace(/\|LGH0001\d\d\|/, `|${controlId}|`)
      .replace(/\|LGH-V99001\|/g, `|LGH-V99001-${this.tag}|`)
      .replace(/20261120142500-0600/g, hl7)
      .replace(/20261117083000-0600/g, formatHl7Timestamp(new Date(at.getTime() - 3 * 86_400_000)))
      .replace(/2026111\d{7}-0600/g, hl7);
    if (changes.mrn) {
      message = message.replace(/00482913\^\^\^LGH\^MR~NSH778812345\^\^\^NSHP\^MB/g, `${changes.mrn}^^^LGH^MR`);
    }
    if (changes.family || changes.given) {
      message = message.replace(/RIVERA\^JASON\^M/g, `${changes.family ?? 'RIVERA'}^${changes.given ?? 'JASON'}`);
    }
    if (changes.language) {
      message = message.replace(/ENG\^English\^ISO639/g, changes.language);
    }
    if (changes.disposition) {
      message = message.replace(/\|01\|\|\|\|\|\|\|\|/, `|${changes.disposition}||||||||`);
    }
    return message;
  }

  admission(at: Date, changes: Parameters<StoryMessages['retime']>[3] = {}): string {
    return this.retime(this.fixture('jason-a01-admit.hl7'), `ADM-${this.tag}`, at, changes);
  }

  discharge(at: Date, changes: Parameters<StoryMessages['retime']>[3] = {}): string {
    return this.retime(this.fixture('jason-a03-discharge.hl7'), `DIS-${this.tag}`, at, changes);
  }

  cancelDischarge(at: Date, changes: Parameters<StoryMessages['retime']>[3] = {}): string {
    return this.retime(this.fixture('jason-a13-cancel-discharge.hl7'), `CAN-${this.tag}`, at, changes);
  }

  get episode(): string {
    return `enc:LGH:LGH-V99001-${this.tag}`;
  }
}

/**
 * Drives the Jason story against a running system, through the same APIs the people in it would
 * use: the hospital over MLLP, the pharmacist and the nurses over HTTP with their own tokens.
 * Used by `npm run demo` (which narrates it) and by the end-to-end test (which asserts it).
 */
export class StoryDriver {
  readonly pharmacistFeed: SseClient[] = [];

  constructor(readonly endpoints: StoryEndpoints) {}

  as(sub: string, roles: Role[], teams: string[]): { Authorization: string } {
    return this.endpoints.authorization(sub, roles, teams);
  }

  pharmacist(id = PHARMACIST): { Authorization: string } {
    return this.as(id, ['pharmacist'], [PHARMACY_TEAM]);
  }

  nurse(): { Authorization: string } {
    return this.as(NURSE, ['nurse'], [NURSING_TEAM, PHARMACY_TEAM]);
  }

  async call<T>(service: ServiceName, method: string, pathname: string, auth: { Authorization: string }, body?: unknown): Promise<T> {
    const response = await fetch(this.endpoints.url(service, pathname), {
      method,
      headers: body === undefined ? auth : { ...auth, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) {
      throw new Error(`${service} ${method} ${pathname} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The people and the plan: pharmacists, the roster, the nurse, the plan's benefits. */
  async setUp(roster: Array<Record<string, unknown>>): Promise<void> {
    const admin = this.as('ops-admin', ['admin', 'supervisor', 'integration'], []);
    await this.call('pharmacy-alert', 'PUT', `/v1/pharmacists/${PHARMACIST}`, admin, { teamId: PHARMACY_TEAM, role: 'pharmacist', languages: ['en'] });
    await this.call('pharmacy-alert', 'PUT', `/v1/pharmacists/${SPANISH_PHARMACIST}`, admin, { teamId: PHARMACY_TEAM, role: 'pharmacist', languages: ['en', 'es'] });
    await this.call('pharmacy-alert', 'PUT', `/v1/pharmacists/${TEAM_LEAD}`, admin, { teamId: PHARMACY_TEAM, role: 'team-lead', languages: ['en'] });
    await this.call('pharmacy-alert', 'POST', '/v1/roster/patients', admin, { patients: roster });
    await this.call('care-gap', 'POST', '/v1/context/benefits', admin, {
      rows: [{ planId: 'NSHP-GOLD', itemSystem: 'HCPCS', itemCode: 'A4670', coverage: 'covered', benefitRuleId: 'NSHP-GOLD-DME-BP-2026' }],
    });
    await this.call('referral', 'PUT', `/v1/nurses/${NURSE}`, admin, {
      teamId: NURSING_TEAM,
      role: 'nurse',
      skills: ['equipment', 'home-health', 'wellness', 'care-coordination', 'social-work', 'maternal-health'],
      languages: ['en'],
    });
  }

  async openPharmacistFeed(id = PHARMACIST): Promise<SseClient> {
    const feed = await SseClient.open(this.endpoints.url('notifier', `/v1/streams/users/${id}`), this.pharmacist(id));
    this.pharmacistFeed.push(feed);
    return feed;
  }

  async sendHl7(message: string): Promise<{ ack: string; ackAt: number }> {
    const client = await MllpClient.connect({ host: '127.0.0.1', port: this.endpoints.mllpPort });
    try {
      const ack = await client.send(message);
      return { ack, ackAt: Date.now() };
    } finally {
      await client.close();
    }
  }

  task(episode: string, kind: string, status?: string, assignee = PHARMACIST): Promise<Task> {
    return eventually(async () => {
      const tasks = await this.call<Task[]>('pharmacy-alert', 'GET', `/v1/tasks?assigneeId=${assignee}`, this.pharmacist(assignee));
      return tasks.find((task) => task.correlationId === episode && task.kind === kind && (status === undefined || task.status === status));
    }, 20_000);
  }

  notificationFor(feed: SseClient, itemId: string, timeoutMs = 15_000): Promise<SseEvent> {
    return feed.waitFor((event) => event.data.includes(itemId), timeoutMs);
  }

  gaps(subject: string): Promise<Gap[]> {
    return this.call<Gap[]>('care-gap', 'GET', `/v1/patients/${subject}/gaps`, this.nurse());
  }

  referrals(episode: string): Promise<Referral[]> {
    return this.call<Referral[]>('referral', 'GET', `/v1/referrals?correlationId=${encodeURIComponent(episode)}`, this.nurse());
  }

  timeline(patientId: string, auth: { Authorization: string }): Promise<TimelineEntry[]> {
    return this.call<TimelineEntry[]>('pharmacy-alert', 'GET', `/v1/patients/${patientId}/timeline`, auth);
  }

  /** The nurse takes a referral and carries it through its type's steps to completion. */
  async workReferral(referral: Referral): Promise<void> {
    const nurse = this.nurse();
    const step = (name: string, body: unknown = {}) => this.call('referral', 'POST', `/v1/referrals/${referral.id}/${name}`, nurse, body);
    await step('claim');
    await step('start');
    switch (referral.type) {
      case 'dme-order':
        await step('order', { orderReference: 'SUP-BP-1001' });
        await step('complete', { reason: 'device-delivered' });
        break;
      case 'specialist-briefing':
        await this.call('referral', 'POST', `/v1/referrals/${referral.id}/briefing/send`, nurse, { specialistId: 'dr-rheum-okafor' });
        await this.call('referral', 'POST', `/v1/referrals/${referral.id}/briefing/acknowledge`, this.as('rheumatology-practice', ['integration'], []), {
          acknowledgedBy: 'dr-rheum-okafor',
        });
        break;
      default:
        await step('schedule', { scheduledFor: new Date(Date.now() + 2 * 86_400_000).toISOString() });
        await step('complete', { reason: 'enrolled' });
    }
  }

  close(): void {
    this.pharmacistFeed.forEach((feed) => feed.close());
  }
}

/** Jason as the specialty pharmacy's roster knows him (synthetic). */
export function jasonRosterRow(): Record<string, unknown> {
  return {
    pharmacyPatientId: 'SP-100234',
    familyName: 'RIVERA',
    givenName: 'JASON',
    birthDate: '1968-04-12',
    sex: 'M',
    preferredLanguage: 'en',
    pharmacistId: PHARMACIST,
    teamId: PHARMACY_TEAM,
    identifiers: [
      { authority: 'LGH', value: '00482913', type: 'MR' },
      { authority: 'NSHP', value: 'NSH778812345', type: 'MB' },
    ],
    therapies: [{ drugSystem: 'RXNORM', drugCode: '327361', drugName: 'adalimumab', conditionCode: 'M06.9' }],
  };
}
