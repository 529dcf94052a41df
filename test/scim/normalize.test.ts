import { ENTERPRISE_USER, normalizeGroupBody, normalizeManager, normalizePatch, normalizeUserBody, toBoolean } from '../../src/scim/normalize';
import { splitMemberOperations } from '../../src/scim/member-operations';
import { patchWithoutPasswords, retargetUnmatchedTypeFilters } from '../../src/scim/patch-ops';

describe('normalize', () => {
  it('turns string booleans of any casing into booleans and leaves other values for validation', () => {
    expect([toBoolean('True'), toBoolean('false'), toBoolean(' FALSE '), toBoolean('yes'), toBoolean(1)]).toEqual([true, false, false, 'yes', 1]);
  });

  it('lower-cases ops and normalises values by path', () => {
    const out = normalizePatch(
      { schemas: ['x'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }, { op: 'Add', path: 'emails[type eq "work"].primary', value: 'True' }] },
      'user',
    ) as { Operations: Array<{ op: string; value: unknown }> };
    expect(out.Operations).toEqual([
      { op: 'replace', path: 'active', value: false },
      { op: 'add', path: 'emails[type eq "work"].primary', value: true },
    ]);
  });

  it('maps known types to their canonical casing and keeps other vocabularies', () => {
    const out = normalizeUserBody({ emails: [{ type: 'WORK', value: 'a' }, { type: 'Personal', value: 'b' }], Roles: [{ type: 'X', primary: 'true' }] }) as Record<string, any>;
    expect(out.emails.map((e: { type: string }) => e.type)).toEqual(['work', 'Personal']);
    expect(out.Roles[0]).toEqual({ type: 'X', primary: true });
  });

  it('wraps a manager id string as {value}, in the extension object and as a URN key', () => {
    expect(normalizeManager('abc')).toEqual({ value: 'abc' });
    for (const none of ['', { value: '' }, { value: null }]) expect(normalizeManager(none)).toBeNull();
    expect(normalizeUserBody({ [ENTERPRISE_USER]: { manager: 'abc' } })).toEqual({ [ENTERPRISE_USER]: { manager: { value: 'abc' } } });
    const patch = normalizePatch({ Operations: [{ op: 'replace', value: { [`${ENTERPRISE_USER}:manager`]: 'abc' } }] }, 'user') as any;
    expect(patch.Operations[0].value).toEqual({ [`${ENTERPRISE_USER}:manager`]: { value: 'abc' } });
  });

  it('accepts members as bare ids and fixes member type casing', () => {
    expect(normalizeGroupBody({ members: ['u1', { value: 'u2', type: 'user' }] })).toEqual({ members: [{ value: 'u1' }, { value: 'u2', type: 'User' }] });
  });

  it('leaves non-objects alone so scimmy can reject them', () => {
    expect(normalizeUserBody('x')).toBe('x');
    expect(normalizePatch({ Operations: 'nope' }, 'user')).toEqual({ Operations: 'nope' });
  });

  it('folds member operations in order and separates the others', () => {
    const { members, others } = splitMemberOperations([
      { op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
      { op: 'remove', path: 'members[value eq "a"]' },
      { op: 'remove', path: 'members', value: [{ value: 'c' }] },
      { op: 'replace', value: { displayName: 'G', members: [{ value: 'z' }] } },
      { op: 'add', path: 'members', value: { value: 'y' } },
    ]);
    expect(members).toEqual({ replaceAll: ['z', 'y'] });
    expect(others).toEqual([{ op: 'replace', value: { displayName: 'G' } }]);
    expect(splitMemberOperations([{ op: 'add', path: 'members', value: [{ value: 'a' }] }, { op: 'remove', path: 'members', value: [{ value: 'a' }] }]).members).toEqual({
      add: [],
      remove: ['a'],
    });
    expect(() => splitMemberOperations([{ op: 'add', path: 'members', value: [{ display: 'no id' }] }])).toThrow(/value/);
  });

  it('takes passwords out of PATCH operations', () => {
    expect(patchWithoutPasswords([{ op: 'replace', path: 'Password', value: 's' }, { op: 'replace', value: { password: 's', title: 't' } }])).toEqual({
      operations: [{ op: 'replace', value: { title: 't' } }],
      passwordReceived: true,
    });
    expect(patchWithoutPasswords([{ op: 'replace', path: 'title', value: 't' }]).passwordReceived).toBe(false);
  });

  it('turns a typed-filter path with no match into an add of a new typed value', () => {
    const current = { emails: [{ type: 'home', value: 'h' }] };
    expect(retargetUnmatchedTypeFilters([{ op: 'replace', path: 'emails[type eq "work"].value', value: 'w' }], current)).toEqual([
      { op: 'add', path: 'emails', value: [{ type: 'work', value: 'w' }] },
    ]);
    const matched = [{ op: 'replace', path: 'emails[type eq "home"].value', value: 'x' }];
    expect(retargetUnmatchedTypeFilters(matched, current)).toEqual(matched);
  });
});
