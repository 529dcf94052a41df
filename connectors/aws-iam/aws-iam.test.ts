import { runConnectorKit } from '../kit';
import { awsIamHarness } from './harness';

runConnectorKit(awsIamHarness);
