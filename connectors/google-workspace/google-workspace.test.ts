import { runConnectorKit } from '../kit';
import { googleWorkspaceHarness } from './harness';

runConnectorKit(googleWorkspaceHarness);
