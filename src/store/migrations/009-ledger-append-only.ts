import { GENESIS_HASH } from '../ledger';

/**
 * The ledger's triggers refused UPDATE and DELETE, but REPLACE INTO ledger (seq, …) rewrote a row anyway:
 * its conflict deletion does not fire DELETE triggers. An insert must now continue the chain: seq one past
 * the last row and prev_hash the last row's hash (the genesis hash for the first), so no statement can
 * overwrite, insert between or leave a gap; only dropping the triggers can, and `ledger verify` sees that.
 */
export const ledgerAppendOnly = {
  version: 9,
  name: 'ledger-append-only',
  up: `
CREATE TRIGGER ledger_append_only BEFORE INSERT ON ledger
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM ledger)
  OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1), '${GENESIS_HASH}')
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: a row must follow the last one'); END;
`,
};
