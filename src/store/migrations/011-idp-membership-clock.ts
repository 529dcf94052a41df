/**
 * membership_history was stamped by triggers with SQLite's clock, not the store's: an IdP membership's
 * `since` could disagree with the ledger row of the same change (and ignored injected test clocks). IdP
 * memberships are now recorded by the store itself (IdpMembershipHistory); the triggers keep covering the
 * other sources (grants).
 */
export const idpMembershipClock = {
  version: 11,
  name: 'idp-membership-clock',
  up: `
DROP TRIGGER membership_added;
DROP TRIGGER membership_removed;
CREATE TRIGGER membership_added AFTER INSERT ON memberships WHEN NEW.source <> 'idp' BEGIN
  INSERT INTO membership_history (group_id, user_id, source, grant_id, added_at)
  VALUES (NEW.group_id, NEW.user_id, NEW.source, NEW.grant_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
CREATE TRIGGER membership_removed AFTER DELETE ON memberships WHEN OLD.source <> 'idp' BEGIN
  UPDATE membership_history SET removed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE group_id = OLD.group_id AND user_id = OLD.user_id AND source = OLD.source AND removed_at IS NULL;
END;
`,
};
