import type { GoogleWorkspaceConfig } from './config';
import type { UserMappingOptions } from './mapping';

/** The config with its defaults applied, in the shape the operations use. */
export interface Settings {
  /** `customer` or `domain`, whichever the config chose, for users.list and groups.list. */
  listScope: { customer: string } | { domain: string };
  groupDomain: string;
  userMapping: UserMappingOptions;
}

/** The Directory API's largest pages: 500 users, 200 groups or members. */
export const MAX_USER_PAGE = 500;
export const MAX_GROUP_PAGE = 200;

export function resolveSettings(config: GoogleWorkspaceConfig): Settings {
  return {
    listScope: config.domain ? { domain: config.domain } : { customer: config.customer ?? 'my_customer' },
    groupDomain: config.groupDomain ?? config.domain ?? config.adminEmail.split('@')[1],
    userMapping: {
      orgUnits: config.orgUnits ?? {},
      changePasswordAtNextLogin: config.newUsers?.changePasswordAtNextLogin ?? false,
    },
  };
}

export function pageSize(requested: number | undefined, max: number): number {
  return Math.min(max, Math.max(1, requested ?? max));
}
