/**
 * The requests Microsoft Entra ID's provisioning service sends, in its own shape: capitalised PATCH ops,
 * the enterprise extension, `"False"` as a string, members added and removed with value arrays.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface Person {
  login: string;
  givenName: string;
  familyName: string;
  title: string;
  department: string;
}

export class EntraClient {
  constructor(private readonly scimUrl: string, private readonly token: string) {}

  async createUser(person: Person): Promise<string> {
    const email = `${person.login.split('-')[0]}@example.com`;
    const body = {
      schemas: [USER, ENTERPRISE],
      externalId: `${person.givenName.toLowerCase()}.${person.familyName.toLowerCase()}`,
      userName: email,
      active: true,
      displayName: `${person.givenName} ${person.familyName}`,
      nickName: person.login,
      title: person.title,
      emails: [{ primary: true, type: 'work', value: email }],
      name: { formatted: `${person.givenName} ${person.familyName}`, familyName: person.familyName, givenName: person.givenName },
      [ENTERPRISE]: { department: person.department },
    };
    return ((await this.send('POST', '/Users', body)) as { id: string }).id;
  }

  async createGroup(displayName: string): Promise<string> {
    return ((await this.send('POST', '/Groups', { schemas: [GROUP], displayName, externalId: displayName.toLowerCase() })) as { id: string }).id;
  }

  addMembers(groupId: string, userIds: string[]): Promise<unknown> {
    return this.patch(`/Groups/${groupId}`, [{ op: 'Add', path: 'members', value: userIds.map((value) => ({ value })) }]);
  }

  removeMembers(groupId: string, userIds: string[]): Promise<unknown> {
    return this.patch(`/Groups/${groupId}`, [{ op: 'Remove', path: 'members', value: userIds.map((value) => ({ value })) }]);
  }

  /** A job change: Entra sends a no-path Replace with dotted and URN keys. */
  changeJob(userId: string, title: string, department: string): Promise<unknown> {
    return this.patch(`/Users/${userId}`, [{ op: 'Replace', value: { title, [`${ENTERPRISE}:department`]: department } }]);
  }

  disable(userId: string): Promise<unknown> {
    return this.patch(`/Users/${userId}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
  }

  private patch(path: string, operations: object[]): Promise<unknown> {
    return this.send('PATCH', path, { schemas: [PATCH], Operations: operations });
  }

  private async send(method: string, path: string, body: object): Promise<unknown> {
    const response = await fetch(`${this.scimUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}
