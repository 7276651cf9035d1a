import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One task of a kind per episode that is not cancelled, instead of one ever: a discharge the
 * hospital cancelled (A13) and then sent again, or an admission cancelled (A11) and admitted
 * again, gets a new task instead of being taken for a copy of the cancelled one.
 */
export class OneLiveTaskPerEpisode1766600000000 implements MigrationInterface {
  name = 'OneLiveTaskPerEpisode1766600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE tasks DROP CONSTRAINT tasks_kind_episode_key_key');
    await runner.query("CREATE UNIQUE INDEX tasks_live_per_episode ON tasks (kind, episode_key) WHERE status <> 'cancelled'");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX tasks_live_per_episode');
    await runner.query('ALTER TABLE tasks ADD CONSTRAINT tasks_kind_episode_key_key UNIQUE (kind, episode_key)');
  }
}
