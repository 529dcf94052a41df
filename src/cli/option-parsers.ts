import { InvalidArgumentError } from 'commander';
import { parsePort } from '../config/load';

export function portOption(text: string): number {
  const port = parsePort(text);
  if (port === undefined) throw new InvalidArgumentError('must be an integer from 0 to 65535.');
  return port;
}

export function nonNegativeIntegerOption(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('must be a non-negative integer.');
  return Number(text);
}
