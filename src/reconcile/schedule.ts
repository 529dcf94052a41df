import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { cronLogger, type Logger } from '../log';
import type { Service } from '../server';
import { RunInProgressError, type ReconcileService } from './service';

/**
 * The `serve` service that runs each target's reconciliation on its cron schedule (node-cron with
 * noOverlap, its logs routed to winston). A tick that finds a run of the target still going (started
 * from the admin API, say) is skipped with a log line.
 */
export class ReconcileScheduler implements Service {
  readonly name = 'reconcile-scheduler';
  private readonly tasks: ScheduledTask[] = [];

  constructor(private readonly service: ReconcileService, private readonly logger: Logger) {}

  start(): void {
    const failed = this.service.reports.failInterrupted(new Date().toISOString());
    if (failed) this.logger.warn('reconciliation runs interrupted by a restart marked failed', { count: failed });
    for (const target of this.service.targetNames) {
      const settings = this.service.settingsFor(target);
      if (!settings.schedule) continue;
      const name = `reconcile-${target}`;
      this.tasks.push(cron.schedule(settings.schedule, () => this.tick(target), {
        name, timezone: settings.timezone, noOverlap: true, logger: cronLogger(this.logger, name),
      }));
      this.logger.info('reconciliation scheduled', { target, schedule: settings.schedule, timezone: settings.timezone, mode: settings.mode });
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.destroy()));
    this.tasks.length = 0;
    await this.service.close();
  }

  /** One scheduled run; resolves when it has finished, so noOverlap skips ticks while it lasts. */
  async tick(target: string): Promise<void> {
    try {
      await this.service.start(target, { trigger: 'schedule', actor: 'reconciler', requestId: `reconcile-${randomUUID()}` }).done;
    } catch (error) {
      if (error instanceof RunInProgressError) this.logger.info('scheduled reconciliation skipped: a run is in progress', { target, runId: error.runId });
      else this.logger.error('scheduled reconciliation failed to start', { target, error: String(error) });
    }
  }
}
