import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { cronLogger, type Logger } from '../log';
import type { Service } from '../server';
import { RunInProgressError, type ReconcileService } from './service';
import type { ReconcileSettings } from './settings';

/**
 * The `serve` service that runs each target's reconciliation on its cron schedule (node-cron with
 * noOverlap, its logs routed to winston). A tick that finds a run of the target still going (started
 * from the admin API, say) is skipped with a log line.
 */
export class ReconcileScheduler implements Service {
  readonly name = 'reconcile-scheduler';
  private readonly tasks: ScheduledTask[] = [];
  private interrupted = 0;

  constructor(private readonly service: ReconcileService, private readonly logger: Logger) {}

  start(): void {
    this.interrupted = this.service.reports.failInterrupted(new Date().toISOString());
    for (const [target, settings] of this.scheduled()) {
      const name = `reconcile-${target}`;
      this.tasks.push(cron.schedule(settings.schedule, () => this.tick(target), {
        name, timezone: settings.timezone, noOverlap: true, logger: cronLogger(this.logger, name),
      }));
    }
  }

  announce(): void {
    if (this.interrupted) this.logger.warn('reconciliation runs interrupted by a restart marked failed', { count: this.interrupted });
    for (const [target, settings] of this.scheduled()) {
      this.logger.info('reconciliation scheduled', { target, schedule: settings.schedule, timezone: settings.timezone, mode: settings.mode });
    }
  }

  private scheduled(): Array<[string, ReconcileSettings & { schedule: string }]> {
    return this.service.targetNames
      .map((target) => [target, this.service.settingsFor(target)] as [string, ReconcileSettings])
      .filter((entry): entry is [string, ReconcileSettings & { schedule: string }] => entry[1].schedule !== undefined);
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
