import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { memory } from '../../connectors/memory';
import targetSchema from '../../schemas/target.schema.json';
import { InvalidConfigError } from '../../src/config/errors';
import type { TargetConfig } from '../../src/config/types';
import { diffAttributes } from '../../src/sync/diff';
import { createTargetMapping } from '../../src/sync/mapping';
import { compileExpression } from '../../src/sync/scim-path';
import { resolveTargets } from '../../src/sync/target-config';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = {
  userName: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [
    { type: 'home', value: 'ada@home.example' },
    { type: 'Work', value: 'ada@work.example', primary: true },
  ],
  [ENTERPRISE]: { department: 'R&D', manager: { value: 'm-1', displayName: 'Charles' } },
};

describe('SCIM paths and templates', () => {
  it.each([
    ['name.givenName', 'Ada'],
    ['NAME.GIVENNAME', 'Ada'],
    ['emails[type eq "work"].value', 'ada@work.example'],
    ['emails[primary eq true].value', 'ada@work.example'],
    ['emails[type eq "home"].value', 'ada@home.example'],
    ['emails.value', 'ada@work.example'],
    [`${ENTERPRISE}:department`, 'R&D'],
    [`${ENTERPRISE}:manager.value`, 'm-1'],
    ['{name.givenName}.{name.familyName}', 'Ada.Lovelace'],
    ['{name.givenName} ({urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department})', 'Ada (R&D)'],
    ['title', undefined],
    ['emails[type eq "other"].value', undefined],
    ['{title}{nickName}', undefined],
  ])('%s → %p', (expression, expected) => {
    expect(compileExpression(expression)(user)).toEqual(expected);
  });

  it('rejects malformed paths and filters with the expression named', () => {
    expect(() => compileExpression('emails[type eq].value')).toThrow(/emails\[type eq\]\.value/);
    expect(() => compileExpression('name..givenName')).toThrow(/not an attribute name/);
  });

  it('diffs only what changed and clears fields the mapping no longer yields', () => {
    expect(diffAttributes({ a: 1, b: 'x', c: [1] }, { a: 1, b: 'y', c: [1] })).toEqual({ b: 'y' });
    expect(diffAttributes({ a: 1, b: 'x' }, { a: 1 })).toEqual({ b: null });
    expect(diffAttributes({ a: { x: 1 } }, { a: { x: 1 } })).toEqual({});
  });
});

describe('target configuration', () => {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(targetSchema);
  const base = { name: 'app', connector: 'memory', config: { directory: 'x' } };

  it('the schema compiles in strict mode and accepts a full target', () => {
    const full = {
      ...base,
      scope: { groups: ['Engineering'], filter: 'userType eq "Employee"' },
      userKey: 'emails[type eq "work"].value',
      attributes: { title: 'title', email: null },
      groups: [{ scim: 'Engineering', target: 'eng', create: true }],
      deprovision: { mode: 'suspend-then-delete', deleteAfterDays: 14, scopeLeaveGraceSeconds: 60 },
      delivery: { concurrency: 2, requestsPerSecond: 5, maxAttempts: 4, backoff: { baseMs: 500, maxMs: 60000 } },
    };
    expect(validate(full)).toBe(true);
  });

  it.each([
    [{ deprovision: { mode: 'archive' } }, '/deprovision/mode'],
    [{ delivery: { concurrency: 0 } }, '/delivery/concurrency'],
    [{ groups: [{ scim: 'Engineering' }] }, '/groups/0'],
    [{ scope: { groups: [] } }, '/scope'],
    [{ deprovision: { scopeLeaveGraceSeconds: -1 } }, '/deprovision/scopeLeaveGraceSeconds'],
    [{ deprovision: { scopeLeaveGraceSeconds: 1.5 } }, '/deprovision/scopeLeaveGraceSeconds'],
  ])('rejects %j at %s', (patch, path) => {
    expect(validate({ ...base, ...patch })).toBe(false);
    expect(validate.errors!.map((error) => error.instancePath).some((instancePath) => instancePath.startsWith(path))).toBe(true);
  });

  it('applies connector defaults: mapping merged, null removes a default, limits feed delivery', () => {
    const [target] = resolveTargets([{ ...base, attributes: { title: "title", email: null } } as unknown as TargetConfig], [memory]);
    expect(target.userAttributes).toEqual({ displayName: 'displayName', givenName: 'name.givenName', familyName: 'name.familyName', title: 'title' });
    expect(target.userKey).toBe('userName');
    expect(target.deprovision).toEqual({ mode: 'suspend', deleteAfterMs: 30 * 86_400_000, scopeLeaveGraceMs: 300_000 });
    expect(target.delivery).toMatchObject({ concurrency: 4, maxAttempts: 8 });
  });

  it('names the path of a bad attribute expression or scope filter', () => {
    const bad = { ...base, attributes: { email: 'emails[type eq].value' }, scope: { all: true, filter: 'userType eq' } } as unknown as TargetConfig;
    try {
      resolveTargets([bad], [memory]);
      throw new Error('expected InvalidConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      const problems = (error as InvalidConfigError).problems;
      expect(problems).toEqual([expect.stringMatching(/^targets\[0\]\.attributes\.email: /), expect.stringMatching(/^targets\[0\]\.scope\.filter: /)]);
    }
  });
});

describe('target mapping of a user', () => {
  it('hands the connector the target keys of the mapped groups the user is in (TargetUser.groups)', () => {
    const [target] = resolveTargets(
      [{ name: 'app', connector: 'memory', config: { directory: 'x' }, groups: [{ scim: 'Engineering', target: 'eng' }, { scim: 'Ops', target: 'ops' }] }],
      [memory],
    );
    const mapped = createTargetMapping(target).user({ id: 'u1', active: true, deleted: false, resource: user, groupHandles: ['engineering', 'unmapped'] });
    expect(mapped.groups).toEqual(['eng']);
  });
});
