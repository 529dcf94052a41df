import { IAMClient, type IAMClientResolvedConfig, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-iam';
import type { CommandImpl } from '@smithy/core/client';
import { NotFoundError, paginate, RetryableError, type OpContext } from '../sdk';
import { classifyIamError } from './classify';
import type { ResolvedAwsIamConfig } from './config';

export type IamCommand<I extends ServiceInputTypes, O extends ServiceOutputTypes> =
  CommandImpl<I, O, IAMClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes>;

/** One page of an IAM listing: the items plus IAM's Marker/IsTruncated cursor. */
export interface IamPage<T> {
  items: readonly T[];
  IsTruncated?: boolean;
  Marker?: string;
}

/**
 * The IAM client as the connector uses it: the SDK makes exactly one attempt (the engine owns retries and
 * rate limits), every failure leaves as a typed connector error, and ctx.signal aborts the request in flight.
 */
export class IamApi {
  private readonly client: IAMClient;
  private readonly secrets: string[];

  constructor(config: ResolvedAwsIamConfig) {
    this.client = new IAMClient({
      region: config.region,
      endpoint: config.endpoint,
      credentials: config.credentials,
      maxAttempts: 1,
      requestHandler: { requestTimeout: config.requestTimeoutMs, connectionTimeout: Math.min(config.requestTimeoutMs, 10_000) },
    });
    const { secretAccessKey, sessionToken } = config.credentials ?? {};
    this.secrets = [secretAccessKey, sessionToken].filter((secret): secret is string => Boolean(secret));
  }

  async send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(command: IamCommand<I, O>, ctx: OpContext): Promise<O> {
    const action = command.constructor.name.replace(/Command$/, '');
    if (ctx.signal.aborted) throw new RetryableError(`IAM ${action} not sent: the operation was aborted`, { cause: ctx.signal.reason });
    try {
      return await this.client.send(command, { abortSignal: ctx.signal });
    } catch (error) {
      throw classifyIamError(error, action, this.secrets);
    }
  }

  /** Like send, but a missing entity (IAM's NoSuchEntity) gives undefined: reads and removals of what may be gone. */
  async sendOrUndefined<I extends ServiceInputTypes, O extends ServiceOutputTypes>(command: IamCommand<I, O>, ctx: OpContext): Promise<O | undefined> {
    try {
      return await this.send(command, ctx);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** Every item across IAM's Marker/IsTruncated pages; throws the abort reason when ctx.signal aborts. */
  paginate<T>(fetchPage: (marker: string | undefined) => Promise<IamPage<T>>, ctx: OpContext): AsyncGenerator<T> {
    return paginate<T>(async (marker) => {
      const page = await fetchPage(marker);
      return { items: page.items, next: page.IsTruncated ? page.Marker : undefined };
    }, ctx.signal);
  }

  /** All items of a short per-user listing (keys, policies, devices, tags). */
  async all<T>(fetchPage: (marker: string | undefined) => Promise<IamPage<T>>, ctx: OpContext): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this.paginate(fetchPage, ctx)) items.push(item);
    return items;
  }

  close(): void {
    this.client.destroy();
  }
}
