import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { IamFault } from './fake-query-codec';

/**
 * Verifies an AWS Signature Version 4 the way IAM does: the access key must be known, the scope must name
 * the iam service, the date must be within 15 minutes, and re-signing the request with the key's secret must
 * give the same signature (@smithy/signature-v4, the signer the SDK itself uses).
 */

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  method: string;
  path: string;
  header(name: string): string | undefined;
  body: string;
}

/** Resolves when the signature is valid; otherwise throws the IamFault IAM would answer with. */
export async function verifySigV4(request: SignedRequest, secretOf: (accessKeyId: string) => string | undefined, now: Date): Promise<void> {
  const match = AUTHORIZATION.exec(request.header('authorization') ?? '');
  if (!match) throw new IamFault('MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
  const [, accessKeyId, shortDate, region, service, signedHeaderList, signature] = match;
  const secretAccessKey = secretOf(accessKeyId);
  if (!secretAccessKey) throw new IamFault('InvalidClientTokenId', 403, 'The security token included in the request is invalid.');
  if (service !== 'iam') throw new IamFault('SignatureDoesNotMatch', 403, `Credential should be scoped to correct service: 'iam'.`);

  const signingDate = parseAmzDate(request.header('x-amz-date'));
  if (!signingDate || !shortDate || Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    throw new IamFault('SignatureDoesNotMatch', 403, 'Signature expired: the request date is missing or more than 15 minutes from now.');
  }
  // The signer trusts a signed x-amz-content-sha256 as the payload hash, so the body must match it.
  const payloadHash = request.header('x-amz-content-sha256');
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(request.body).digest('hex')) {
    throw new IamFault('SignatureDoesNotMatch', 403, 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const signedHeaders = signedHeaderList.split(';');
  const headers = Object.fromEntries(signedHeaders.map((name) => [name, request.header(name) ?? '']));
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region, service, sha256: Sha256 });
  const resigned = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: 'fake', path: request.path, query: {}, headers, body: request.body },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(resigned.headers.authorization ?? '')?.[1] ?? '';
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    throw new IamFault('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided.');
  }
}

/** `20261123T010203Z` → Date. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}
