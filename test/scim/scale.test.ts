import { harness, scim } from './helpers';

/** 100k users inserted straight into the tables (the API path is exercised elsewhere). */
function seedUsers(h: ReturnType<typeof harness>, n: number): void {
  const user = h.store.db.prepare(
    `INSERT INTO users (id, user_name, display_name, resource, created, last_modified) VALUES (?, ?, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
  );
  const email = h.store.db.prepare(`INSERT INTO user_emails (user_id, value, type, is_primary) VALUES (?, ?, 'work', 1)`);
  h.store.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = `id-${i}`;
      const userName = `user${i}@example.com`;
      user.run(id, userName, `User ${i}`, JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, displayName: `User ${i}` }));
      email.run(id, userName);
    }
  })();
}

describe('lists over 100k users', () => {
  it('answers pages, counts and filtered lookups from SQL without loading every row', async () => {
    const h = harness();
    seedUsers(h, 100_000);
    const page = await scim(h).get('/Users?startIndex=99999&count=5&sortBy=userName');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ totalResults: 100_000, startIndex: 99_999, itemsPerPage: 2 });
    const lookup = await scim(h).get(`/Users?filter=${encodeURIComponent('userName eq "USER77777@example.com"')}`);
    expect(lookup.body).toMatchObject({ totalResults: 1, Resources: [{ id: 'id-77777' }] });
    const byEmail = await scim(h).get(`/Users?filter=${encodeURIComponent('emails.value eq "user123@example.com"')}`);
    expect(byEmail.body.Resources.map((r: { id: string }) => r.id)).toEqual(['id-123']);
    const defaultPage = await scim(h).get('/Users');
    expect(defaultPage.body.itemsPerPage).toBe(h.config.scim.maxResults);
    expect(defaultPage.body.Resources).toHaveLength(h.config.scim.maxResults);
  });
});
