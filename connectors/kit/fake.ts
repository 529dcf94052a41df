/**
 * The kit's jest-free entry: what fakes need, and what a plain node script that drives a fake can import.
 * The conformance suite (`runConnectorKit`, from `../kit`) imports @jest/globals, which throws outside jest,
 * so no fake may import `../kit` itself; import from here.
 */
export type { FakeTarget } from './fake-target';
export { FakeServer, type ErrorResponse, type FakeServerOptions, type FaultSpec, type RecordedRequest, type RouteOptions } from './fake-server';
export { ResourceStore, type Resource } from './resource-store';
export { pageByIndex, pageByToken, encodePageToken, decodePageToken, InvalidPageTokenError, type TokenPage } from './paging';
