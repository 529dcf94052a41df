import request from 'supertest';
import { harness, scim, userBody, GROUP_SCHEMA, ERROR_SCHEMA } from '../scim/helpers';

/** What the bridge stores is what the client sent: text it cannot keep faithfully is refused, never altered. */
describe('text the store could not keep faithfully is 400, never stored', () => {
  const invalidValue = (detail: RegExp) => ({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidValue', detail: expect.stringMatching(detail) });

  it.each([
    ['NUL', 'nul\u0000x'],
    ['a tab', 'tab\tx'],
    ['ESC', 'esc\u001bx'],
    ['DEL', 'del\u007fx'],
    ['a C1 control', 'c1\u0085x'],
  ])('userName with %s', async (_label, userName) => {
    const h = harness();
    const res = await scim(h).post('/Users', userBody(userName));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalidValue(/userName must not contain control characters/));
    expect(h.store.users.list({ startIndex: 1, count: 10 }).total).toBe(0);
  });

  it('NUL no longer defeats case-insensitive uniqueness: neither name is stored', async () => {
    const h = harness();
    expect((await scim(h).post('/Users', userBody('nul\u0000x'))).status).toBe(400);
    expect((await scim(h).post('/Users', userBody('nul\u0000y'))).status).toBe(400);
  });

  it.each(['displayName', 'externalId'])('a user %s with a control character', async (attribute) => {
    const h = harness();
    const res = await scim(h).post('/Users', userBody('ok', { [attribute]: 'bad\u0000value' }));
    expect(res.body).toEqual(invalidValue(new RegExp(`${attribute} must not contain control characters`)));
  });

  it('a group displayName with a control character, on create and on PATCH', async () => {
    const h = harness();
    expect((await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Eng\u0000' })).body).toEqual(invalidValue(/displayName must not contain/));
    const group = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Eng' });
    const patched = await scim(h).patch(`/Groups/${group.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Eng\u0007' }],
    });
    expect(patched.body).toEqual(invalidValue(/displayName must not contain/));
    expect(h.store.groups.get(group.body.id)!.resource.displayName).toBe('Eng');
  });

  it('userName, displayName and externalId are at most 1024 characters', async () => {
    const h = harness();
    expect((await scim(h).post('/Users', userBody('u'.repeat(1024)))).status).toBe(201);
    expect((await scim(h).post('/Users', userBody('v'.repeat(1025)))).body).toEqual(invalidValue(/userName is longer than 1024 characters/));
    expect((await scim(h).post('/Users', userBody('w', { externalId: 'e'.repeat(900_000) }))).body).toEqual(invalidValue(/externalId is longer than 1024/));
  });

  it('keeps ordinary non-ASCII text', async () => {
    const h = harness();
    const res = await scim(h).post('/Users', userBody('zoë.ñandú@例え.jp', { displayName: 'Zoë 🦜 Ñandú' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userName: 'zoë.ñandú@例え.jp', displayName: 'Zoë 🦜 Ñandú' });
  });

  it('a body that is not valid UTF-8 is 400 invalidSyntax, not stored with U+FFFD', async () => {
    const h = harness();
    const body = Buffer.concat([Buffer.from('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bad'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const res = await request(h.app).post('/scim/v2/Users').set(h.auth).set('Content-Type', 'application/scim+json').serialize((raw) => raw).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidSyntax', detail: 'request body is not valid UTF-8' });
    expect(h.store.users.list({ startIndex: 1, count: 10 }).total).toBe(0);
  });

  it('a lone surrogate escape is 400 invalidValue; an escaped pair is an ordinary character', async () => {
    const h = harness();
    const lone = await scim(h).raw('post', '/Users', '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x\\ud800y"}');
    expect(lone.body).toEqual(invalidValue(/unpaired UTF-16 surrogate/));
    const nested = await scim(h).raw('post', '/Users', '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"n","name":{"givenName":"\\udfff"}}');
    expect(nested.status).toBe(400);
    const pair = await scim(h).raw('post', '/Users', '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"parrot\\ud83e\\udd9c"}');
    expect(pair.status).toBe(201);
    expect(pair.body.userName).toBe('parrot🦜');
  });
});
