/** The kit for connector tests (runs inside jest). Fakes import the jest-free part from './fake'. */
export * from './fake';
export { runConnectorKit } from './suite';
export type { ConnectorHarness, FakeInspector, FaultKind, InspectedGroup, InspectedUser, InvalidConfig, KitCaseName, KitSamples } from './harness';
export { KIT_CASES } from './harness';
export { collectAll } from './expectations';
