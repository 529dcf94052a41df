import type { Request, Response } from 'express';
import { FakeServer, type ErrorResponse } from '../kit/fake-server';
import { IAM_ACTIONS } from './fake-actions';
import { FakeIamState } from './fake-iam-state';
import { encodeForm, errorXml, IAM_API_VERSION, IamFault, successXml, type FormParams } from './fake-query-codec';
import { verifySigV4 } from './fake-sigv4';

export const FAKE_REGION = 'us-east-1';

/**
 * A loopback IAM: the Query protocol (form POST to `/` with Action and Version, XML replies and IAM's XML
 * error bodies and statuses), SigV4 signatures verified against the one key pair it knows, Marker/IsTruncated
 * paging, case-insensitive names and IAM's refusal to delete a user while anything hangs off it. Calls are
 * counted and faults injected per Action (`fake.calls('CreateUser')`).
 */
export class FakeIam extends FakeServer {
  readonly state = new FakeIamState();
  readonly accessKeyId = 'AKIAFAKEIAMBRIDGE001';
  readonly secretAccessKey = 'fake-secret/Kq8+vT2wXr5zLm9Pn3Hb7Jd4Fs6Gc1Ya0Ue';
  private keysRevoked = false;

  constructor() {
    super({ endpointOf: (req) => actionOf(req) });
    this.post('/', (req, res) => this.handle(req, res), { public: true });
  }

  /** What an IAMClient needs to reach this fake. */
  clientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
    return { endpoint: this.url, region: FAKE_REGION, credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey } };
  }

  override revokeCredentials(): void {
    super.revokeCredentials();
    this.keysRevoked = true;
  }

  protected override resetState(): void {
    this.state.clear();
    this.keysRevoked = false;
  }

  /** Errors raised by the base (unknown route, bad page token, injected faults without a body) in IAM's dialect. */
  protected override errorResponse(status: number, message: string): ErrorResponse {
    return { contentType: 'text/xml', body: errorXml(faultForStatus(status, message)) };
  }

  private async handle(req: Request, res: Response): Promise<void> {
    const params = (req.body ?? {}) as FormParams;
    try {
      await verifySigV4(
        { method: req.method, path: req.path, header: (name) => req.get(name), body: encodeForm(params) },
        (accessKeyId) => (!this.keysRevoked && accessKeyId === this.accessKeyId ? this.secretAccessKey : undefined),
        new Date(),
      );
      const action = IAM_ACTIONS[params.Action ?? ''];
      if (!action || params.Version !== IAM_API_VERSION) {
        throw new IamFault('InvalidAction', 400, `Could not find operation ${params.Action} for version ${params.Version}`);
      }
      res.status(200).type('text/xml').send(successXml(params.Action, action(this.state, params)));
    } catch (error) {
      const fault = error instanceof IamFault ? error : new IamFault('ServiceFailure', 500, 'internal failure', 'Receiver');
      res.status(fault.status).type('text/xml').send(errorXml(fault));
    }
  }
}

function actionOf(req: Request): string {
  const action = (req.body as FormParams | undefined)?.Action;
  return typeof action === 'string' ? action : `${req.method} ${req.path}`;
}

/** The IAM error code a bare status stands for. Throttling is 400 in IAM, so 429 only appears from other layers. */
export function faultForStatus(status: number, message: string): IamFault {
  if (status >= 500) return new IamFault(status === 503 ? 'ServiceUnavailable' : 'ServiceFailure', status, message, 'Receiver');
  if (status === 401 || status === 403) return new IamFault('InvalidClientTokenId', status, message);
  if (status === 404) return new IamFault('NoSuchEntity', status, message);
  if (status === 409) return new IamFault('EntityAlreadyExists', status, message);
  if (status === 429) return new IamFault('Throttling', status, message);
  return new IamFault('ValidationError', status, message);
}
