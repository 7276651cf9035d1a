import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MetricsRegistry } from '@sc/observability';

/** Worklist gauges for operations: open tasks, those due within 4 h, and those past their deadline. */
@Injectable()
export class TaskMetrics implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
  ) {}

  onModuleInit(): void {
    this.metrics.collectedGauge('sc_pharmacy_tasks', 'Open pharmacist tasks by kind and clock state (open, due-soon, breached).', async () => {
      const rows: Array<{ kind: string; clock: string; count: string }> = await this.dataSource.query(
        `SELECT kind,
                CASE WHEN due_at <= now() THEN 'breached' WHEN due_at <= now() + interval '4 hours' THEN 'due-soon' ELSE 'open' END AS clock,
                count(*) AS count
         FROM tasks WHERE status IN ('open', 'acknowledged') GROUP BY 1, 2`,
      );
      return rows.map((row) => ({ labels: { kind: row.kind, clock: row.clock }, value: Number(row.count) }));
    });
  }
}
