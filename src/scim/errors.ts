import SCIMMY from 'scimmy';
import type { Response } from 'express';
import { scimError } from '../http/auth';
import { FilterError } from '../store/filter';
import {
  ConcurrentChangeError,
  InvalidAttributeValueError,
  InvalidReferenceError,
  PreconditionFailedError,
  ResourceNotFoundError,
  UniquenessError,
} from '../store/resource-errors';
import { asStorageUnavailable } from '../store/storage-guard';

export type ScimFailure = SCIMMY.Types.SCIMError;

export function scimFailure(status: number, scimType: string | null, detail: string): ScimFailure {
  return new SCIMMY.Types.Error(status, scimType as string, detail);
}

/**
 * Turns anything a handler throws into a SCIMError, because scimmy answers every other error with
 * 404. Unknown errors become a 500 whose detail says nothing about the cause (it may hold data).
 */
export function toScimError(error: unknown, onUnexpected: (error: unknown) => void): ScimFailure {
  if (error instanceof SCIMMY.Types.Error) return error;
  if (error instanceof ResourceNotFoundError) return scimFailure(404, null, error.message);
  if (error instanceof PreconditionFailedError) return scimFailure(412, null, error.message);
  if (error instanceof UniquenessError) return scimFailure(409, 'uniqueness', error.message);
  if (error instanceof InvalidReferenceError || error instanceof InvalidAttributeValueError) return scimFailure(400, 'invalidValue', error.message);
  if (error instanceof ConcurrentChangeError) return scimFailure(409, null, error.message);
  if (error instanceof FilterError) return scimFailure(400, 'invalidFilter', error.message);
  const unavailable = asStorageUnavailable(error);
  if (unavailable) return scimFailure(503, null, unavailable.message);
  onUnexpected(error);
  return scimFailure(500, null, 'internal error');
}

/**
 * Runs scimmy validation or projection: its TypeErrors describe the client's data (a wrong type, an
 * unknown attribute) and become 400 invalidValue. TypeErrors elsewhere are bugs and stay 500s.
 */
export function asInvalidValue<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof TypeError) throw scimFailure(400, 'invalidValue', error.message);
    throw error;
  }
}

/**
 * scimmy-routers answers a thrown SCIMError through scimmy's ErrorResponse, which refuses 503 (not in its
 * list of SCIM statuses) with a TypeError after the status was already set. Answer that 503 ourselves.
 */
export function unavailableAfterScimmy() {
  return (error: unknown, _req: unknown, res: Response, next: (error: unknown) => void): void => {
    if (res.statusCode !== 503 || res.headersSent) return next(error);
    sendScimError(res, 503, 'the database is unavailable; retry shortly');
  };
}

/** Answers a SCIM error directly (for checks that run before scimmy sees the request). */
export function sendScimError(res: Response, status: number, detail: string, scimType?: string): void {
  res.status(status).type('application/scim+json').send(scimError(status, detail, scimType));
}
