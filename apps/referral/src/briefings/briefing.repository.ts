import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { BriefingPacket } from './briefing-packet';

export interface Briefing {
  referralId: string;
  packet: BriefingPacket;
  specialistId: string;
  sentBy: string;
  sentAt: Date;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
}

interface BriefingRow {
  referral_id: string;
  packet: BriefingPacket;
  specialist_id: string;
  sent_by: string;
  sent_at: Date;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
}

const toBriefing = (row: BriefingRow): Briefing => ({
  referralId: row.referral_id,
  packet: row.packet,
  specialistId: row.specialist_id,
  sentBy: row.sent_by,
  sentAt: row.sent_at,
  acknowledgedBy: row.acknowledged_by,
  acknowledgedAt: row.acknowledged_at,
});

/** The packet as sent: kept as it was, so what the specialist received can be shown later. */
@Injectable()
export class BriefingRepository {
  async insert(manager: EntityManager, briefing: Omit<Briefing, 'acknowledgedBy' | 'acknowledgedAt'>): Promise<Briefing> {
    const rows: BriefingRow[] = await manager.query(
      `INSERT INTO briefings (referral_id, packet, specialist_id, sent_by, sent_at) VALUES ($1, $2::jsonb, $3, $4, $5) RETURNING *`,
      [briefing.referralId, JSON.stringify(briefing.packet), briefing.specialistId, briefing.sentBy, briefing.sentAt],
    );
    return toBriefing(rows[0]);
  }

  async find(manager: EntityManager, referralId: string): Promise<Briefing | undefined> {
    const rows: BriefingRow[] = await manager.query('SELECT * FROM briefings WHERE referral_id = $1', [referralId]);
    return rows.length === 1 ? toBriefing(rows[0]) : undefined;
  }

  async acknowledge(manager: EntityManager, referralId: string, acknowledgedBy: string, acknowledgedAt: Date): Promise<Briefing> {
    const [rows]: [BriefingRow[], number] = await manager.query(
      'UPDATE briefings SET acknowledged_by = $2, acknowledged_at = $3 WHERE referral_id = $1 RETURNING *',
      [referralId, acknowledgedBy, acknowledgedAt],
    );
    return toBriefing(rows[0]);
  }
}
