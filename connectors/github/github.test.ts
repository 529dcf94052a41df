import { runConnectorKit } from '../kit';
import { githubHarness } from './harness';

runConnectorKit(githubHarness('token'));
runConnectorKit(githubHarness('app'));
