import { flattenScimResource, parseScimPath, toScimResource } from './scim-path';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('SCIM attribute paths', () => {
  it.each([
    ['displayName', { attribute: 'displayName' }],
    ['name.givenName', { attribute: 'name', subAttribute: 'givenName' }],
    ['emails[type eq "work"].value', { attribute: 'emails', filter: { attribute: 'type', value: 'work' }, subAttribute: 'value' }],
    [`${ENTERPRISE}:department`, { extension: ENTERPRISE, attribute: 'department' }],
    [`${ENTERPRISE}:manager.value`, { extension: ENTERPRISE, attribute: 'manager', subAttribute: 'value' }],
  ])('parses %s', (path, expected) => {
    expect(parseScimPath(path)).toEqual(expected);
  });

  it('rejects what is not a path', () => {
    expect(() => parseScimPath('emails[type co "w"]')).toThrow('not a SCIM attribute path');
    expect(() => parseScimPath('')).toThrow();
  });

  it('builds a resource and flattens it back to the same fields', () => {
    const attributes = {
      displayName: 'Ada',
      'name.givenName': 'Ada',
      'name.familyName': 'Lovelace',
      'emails[type eq "work"].value': 'ada@example.com',
      'emails[type eq "work"].primary': true,
      'phoneNumbers[type eq "mobile"].value': '+44 1',
      [`${ENTERPRISE}:department`]: 'Analytics',
    };
    const { resource, extensions } = toScimResource(attributes);
    expect(resource).toEqual({
      displayName: 'Ada',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ type: 'work', value: 'ada@example.com', primary: true }],
      phoneNumbers: [{ type: 'mobile', value: '+44 1' }],
      [ENTERPRISE]: { department: 'Analytics' },
    });
    expect(extensions).toEqual([ENTERPRISE]);
    expect(flattenScimResource(resource, [])).toEqual(attributes);
  });

  it('leaves out null fields on create and skipped attributes when flattening', () => {
    expect(toScimResource({ title: null, nickName: 'x' }).resource).toEqual({ nickName: 'x' });
    expect(flattenScimResource({ id: '1', userName: 'u', title: 'T' }, ['id', 'userName'])).toEqual({ title: 'T' });
  });
});
