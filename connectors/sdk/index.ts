export * from './contract';
export * from './errors';
export * from './http';
export * from './paginate';
export * from './redact';
