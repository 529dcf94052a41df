import { PassThrough } from 'node:stream';
import { runDemo } from '../../src/demo/main';

/** The demo's output cut at its numbered steps: section n is everything printed under "n. …". */
function sections(output: string): Record<number, string> {
  const parts = output.split(/^(?=\d\. )/m);
  return Object.fromEntries(parts.filter((part) => /^\d\. /.test(part)).map((part) => [Number(part[0]), part]));
}

describe('npm run demo', () => {
  it('tells the joiner → mover → leaver story on three targets, finds the out-of-band drift and repairs it', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const code = await runDemo({ stdout: stream });
    const output = Buffer.concat(chunks).toString('utf8');
    if (code !== 0 || process.env.DEMO_PRINT) process.stderr.write(output);
    expect(code).toBe(0);
    const step = sections(output);

    expect(step[1]).toMatch(/github {3}members: ada-l \(member\); grace-h \(member\); linus-t \(member\)\n {11}teams: {3}engineering \[ada-l, grace-h, linus-t\]; sales \[\]/);
    expect(step[1]).toMatch(/aws {6}users: {2}ada@example.com \(Ada Lovelace\); grace@example.com \(Grace Hopper\); linus@example.com \(Linus Torvalds\)/);
    expect(step[2]).toMatch(/ada@example.com \(Ada Lovelace, Sales Engineer\)/);
    expect(step[2]).toMatch(/groups: engineering@example.com \[grace@example.com, linus@example.com\]; sales@example.com \[ada@example.com\]/);
    expect(step[3]).toMatch(/google .*grace@example.com \(Grace Hopper, Engineer\) SUSPENDED/);
    expect(step[3]).toMatch(/github {3}members: ada-l \(member\); linus-t \(member\)\n/);
    expect(step[3]).toMatch(/aws .*grace@example.com \(Grace Hopper\) SUSPENDED/);
    expect(step[3]).toMatch(/groups: engineering \[grace@example.com, linus@example.com\]; sales \[ada@example.com\]\n {2}Why Grace is still in engineering on google and aws: deprovision mode suspend/);
    expect(step[3]).toMatch(/keeps its group memberships/);
    expect(step[3]).toMatch(/GitHub cannot suspend an org\s+member, so there suspend falls back to removing her from the org and its teams/);

    // The reports printed after the drift name exactly what was done behind the bridge's back.
    expect(step[4]).toMatch(/reconcile google: drift \(report\)/);
    expect(step[4]).toMatch(/orphaned-account +user:\S+ +grace@example.com +linked to a user that is no longer desired on this target +suspend +planned/);
    expect(step[4]).toMatch(/attribute-drift +user:\S+ +linus@example.com +familyName: Torvalds \(edited in the Admin console\) → Torvalds +update +planned/);
    expect(step[4]).toMatch(/unmanaged-account +- +temp.contractor@example.com +none +not-fixable/);
    expect(step[4]).toMatch(/missing-membership +group:\S+ +engineering +member linus-t +add-member +planned/);
    expect(step[4]).toMatch(/unmanaged-account +- +octocat +none +not-fixable/);
    expect(step[4]).toMatch(/missing-membership +group:\S+ +sales +member ada@example.com +add-member +planned/);
    expect(step[4]).toMatch(/unmanaged-account +- +legacy-deploy +none +not-fixable/);

    expect(step[5]).toMatch(/google {2}fixed: 2 applied, 1 not-fixable/);
    expect(step[5]).toMatch(/grace@example.com \(Grace Hopper, Engineer\) SUSPENDED; linus@example.com \(Linus Torvalds, Engineer\); temp.contractor@example.com/);
    expect(step[5]).toMatch(/teams: {3}engineering \[linus-t\]; sales \[ada-l\]/);
    expect(step[5]).toMatch(/members: ada-l \(member\); linus-t \(member\); octocat \(member\)/);
    expect(step[5]).toMatch(/groups: engineering \[grace@example.com, linus@example.com\]; sales \[ada@example.com\]/);
    for (const target of ['google', 'github', 'aws']) expect(step[6]).toMatch(new RegExp(`${target} +in-sync; 1 unmanaged-account`));
    expect(step[7]).toMatch(/The ledger: \d+ hash-chained rows, chain verified/);
    expect(step[7]).toMatch(/npx scim-bridge evidence user:ada@example.com --db \S+bridge\.db/);
  }, 120_000);
});
