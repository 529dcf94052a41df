import { InvalidArgumentError } from 'commander';

/**
 * The parser for every integer option: a value that is not an integer from min to max is a usage error
 * (exit 2) that commander prints naming the option and the value, before any file is opened.
 */
export function integerOption(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) throw new InvalidArgumentError(`must be an integer ${rangeText(min, max)}.`);
    return value;
  };
}

function rangeText(min: number, max: number): string {
  return max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
}

export const portOption = integerOption(0, 65535);
export const nonNegativeIntegerOption = integerOption(0);
export const positiveIntegerOption = integerOption(1);
