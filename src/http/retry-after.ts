import type { NextFunction, Request, Response } from 'express';

/**
 * Every 503 says when to come back (RFC 9110 10.2.3), whichever layer answered it: the IdPs back off on
 * Retry-After instead of hammering a busy or recovering database.
 */
export function retryAfterOnUnavailable(seconds = 1) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, statusCode: number, ...rest: unknown[]) {
      if (statusCode === 503 && !this.hasHeader('retry-after')) this.setHeader('Retry-After', String(seconds));
      return (writeHead as (...args: unknown[]) => Response).call(this, statusCode, ...rest);
    } as typeof res.writeHead;
    next();
  };
}
