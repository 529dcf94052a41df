export { runConnectorKit } from './suite';
export type { ConnectorHarness, FakeInspector, FaultKind, InspectedGroup, InspectedUser, InvalidConfig, KitCaseName, KitSamples } from './harness';
export { KIT_CASES } from './harness';
export type { FakeTarget } from './fake-target';
export { FakeServer, type ErrorResponse, type FakeServerOptions, type FaultSpec, type RecordedRequest, type RouteOptions } from './fake-server';
export { pageByIndex, pageByToken, encodePageToken, decodePageToken, InvalidPageTokenError, type TokenPage } from './paging';
export { collectAll } from './expectations';
