import { initial } from './001-initial';
import { syncEngine } from './002-sync-engine';
import { driftReports } from './003-drift-reports';
import { grants } from './004-grants';
import { liveIdIndexes } from './005-live-id-indexes';
import { grantEvidence } from './006-grant-evidence';
import { queueThrottled } from './007-queue-throttled';
import { uniqueRemoteLinks } from './008-unique-remote-links';
import { ledgerAppendOnly } from './009-ledger-append-only';
import { tokenHistory } from './010-token-history';
import { idpMembershipClock } from './011-idp-membership-clock';
import { managerIndex } from './012-manager-index';
import { userNameFold } from './013-user-name-fold';
import { linkRemoteKey } from './014-link-remote-key';
import { targetSettings } from './015-target-settings';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

/**
 * Applied in order; a migration is never edited once released, only followed by a new one. `ledger verify`
 * compares each user and group with its last ledger row, so a migration that rewrites a resource must
 * record that in the ledger too.
 */
export const migrations: Migration[] = [initial, syncEngine, driftReports, grants, liveIdIndexes, grantEvidence, queueThrottled, uniqueRemoteLinks, ledgerAppendOnly, tokenHistory, idpMembershipClock, managerIndex, userNameFold, linkRemoteKey, targetSettings];
