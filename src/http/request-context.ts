import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log';
import { newId } from '../store/ids';

declare module 'express-serve-static-core' {
  interface Request {
    /** Correlates the log lines and ledger rows of one request; echoed as X-Request-Id. */
    requestId: string;
    /** The authenticated token's name (the ledger's actor) once auth has run. */
    actor?: string;
  }
}

const VALID_INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.header('x-request-id');
    req.requestId = incoming && VALID_INCOMING_ID.test(incoming) ? incoming : newId();
    res.setHeader('X-Request-Id', req.requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info('request', {
        requestId: req.requestId,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        actor: req.actor,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    next();
  };
}
