import { randomUUID } from 'node:crypto';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';

/**
 * The IAM Query protocol's wire format for the fake: form parameters in (`Tags.member.1.Key=…`), XML out
 * (`<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`), lists as `<member>` elements.
 */

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const IAM_API_VERSION = '2010-05-08';

export type FormParams = Record<string, string>;

/** An IAM error as IAM sends it: the code, its HTTP status and a message. */
export class IamFault extends Error {
  constructor(readonly code: string, readonly status: number, message: string, readonly type: 'Sender' | 'Receiver' = 'Sender') {
    super(message);
  }
}

export const noSuchEntity = (message: string): IamFault => new IamFault('NoSuchEntity', 404, message);
export const validationError = (message: string): IamFault => new IamFault('ValidationError', 400, message);

export function required(params: FormParams, name: string): string {
  const value = params[name];
  if (value === undefined) throw validationError(`1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** `Name.member.1`, `Name.member.2`, … as a string list. */
export function memberList(params: FormParams, name: string): string[] {
  return collectMembers((index) => params[`${name}.member.${index}`]);
}

/** `Tags.member.1.Key` / `Tags.member.1.Value`, … as tags. */
export function tagList(params: FormParams, name = 'Tags'): { Key: string; Value: string }[] {
  return collectMembers((index) => {
    const key = params[`${name}.member.${index}.Key`];
    return key === undefined ? undefined : { Key: key, Value: params[`${name}.member.${index}.Value`] ?? '' };
  });
}

function collectMembers<T>(at: (index: number) => T | undefined): T[] {
  const items: T[] = [];
  for (let index = 1; ; index += 1) {
    const item = at(index);
    if (item === undefined) return items;
    items.push(item);
  }
}

/** The form body as the SDK encoded it (insertion order, RFC 3986 escaping), for the signature's payload hash. */
export function encodeForm(params: FormParams): string {
  return Object.entries(params)
    .map(([key, value]) => `${extendedEncodeURIComponent(key)}=${extendedEncodeURIComponent(value)}`)
    .join('&');
}

export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [name: string]: XmlValue };

export function successXml(action: string, result?: Record<string, XmlValue>): string {
  const body = result ? `<${action}Result>${elements(result)}</${action}Result>` : '';
  return `<${action}Response xmlns="${IAM_XMLNS}">${body}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

export function errorXml(fault: Pick<IamFault, 'code' | 'message' | 'type'>): string {
  const error = elements({ Type: fault.type, Code: fault.code, Message: fault.message });
  return `<ErrorResponse xmlns="${IAM_XMLNS}"><Error>${error}</Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

function elements(fields: Record<string, XmlValue>): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<${name}>${content(value)}</${name}>`)
    .join('');
}

function content(value: XmlValue): string {
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${content(item)}</member>`).join('');
  if (typeof value === 'object') return elements(value);
  return escapeXml(String(value));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
