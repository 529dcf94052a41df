import { FakeIam } from '../../connectors/aws-iam/fake';
import { configForFake as awsConfig } from '../../connectors/aws-iam/harness';
import type { GithubFake } from '../../connectors/github/fake';
import { startGithubFake, tokenConfig } from '../../connectors/github/harness';
import type { GoogleWorkspaceFake } from '../../connectors/google-workspace/fake';
import { configForFake as googleConfig, startGoogleFake } from '../../connectors/google-workspace/harness';
import type { TargetConfig } from '../config/types';

/** The three SaaS targets of the demo, each a loopback fake of the real API on 127.0.0.1. */
export interface FakeTargets {
  google: GoogleWorkspaceFake;
  github: GithubFake;
  aws: FakeIam;
  targets: TargetConfig[];
  stop(): Promise<void>;
}

const FAST = { requestsPerSecond: 200, backoff: { baseMs: 50, maxMs: 500 } };

export async function startFakeTargets(githubLogins: string[]): Promise<FakeTargets> {
  const [google, github, aws] = await Promise.all([startGoogleFake(), startGithubFake(), new FakeIam().start()]);
  for (const login of githubLogins) github.org.addAccount(login);
  const groups = (name: (scim: string) => string) => ['Engineering', 'Sales'].map((scim) => ({ scim, target: name(scim), create: true }));
  const targets: TargetConfig[] = [
    { name: 'google', connector: 'google-workspace', config: { ...googleConfig(google) }, groups: groups((scim) => `${scim.toLowerCase()}@example.com`), delivery: FAST },
    // GitHub identifies people by login; here Entra sends it as nickName.
    { name: 'github', connector: 'github', config: { ...tokenConfig(github) }, userKey: 'nickName', groups: groups((scim) => scim.toLowerCase()), delivery: FAST },
    { name: 'aws', connector: 'aws-iam', config: { ...awsConfig(aws) }, groups: groups((scim) => scim.toLowerCase()), delivery: FAST },
  ];
  return {
    google, github, aws, targets,
    stop: async () => void (await Promise.all([google.stop(), github.stop(), aws.stop()])),
  };
}

/** What each target holds right now, read from the fakes' own state (not through the connectors). */
export function describeTargets(fakes: FakeTargets): string[] {
  return [...describeGoogle(fakes.google), ...describeGithub(fakes.github), ...describeAws(fakes.aws)];
}

function describeGoogle(fake: GoogleWorkspaceFake): string[] {
  const emailOf = new Map([...fake.users.values()].map((user) => [user.id, user.primaryEmail]));
  const users = [...fake.users.values()].filter((user) => user.primaryEmail !== 'admin@example.com')
    .map((user) => `${user.primaryEmail} (${user.name.givenName} ${user.name.familyName}${user.organizations?.[0]?.title ? `, ${user.organizations[0].title}` : ''})${user.suspended ? ' SUSPENDED' : ''}`);
  const groups = [...fake.groups.values()].map((group) => `${group.email} [${[...group.members.keys()].map((id) => emailOf.get(id) ?? id).sort().join(', ')}]`);
  return [`  google   users:  ${users.sort().join('; ') || '-'}`, `           groups: ${groups.join('; ') || '-'}`];
}

function describeGithub(fake: GithubFake): string[] {
  const org = fake.org;
  const members = [...org.members.entries()].map(([login, role]) => `${login} (${role})`).sort();
  const invited = [...org.invitations.values()].map((invitation) => invitation.login ?? invitation.email ?? '?');
  const teams = [...org.teams.values()].map((team) => `${team.slug} [${[...team.members.keys()].sort().join(', ')}]`);
  return [
    `  github   members: ${members.join('; ') || '-'}${invited.length ? `; invited: ${invited.join(', ')}` : ''}`,
    `           teams:   ${teams.join('; ') || '-'}`,
  ];
}

function describeAws(fake: FakeIam): string[] {
  const nameOf = new Map([...fake.state.users.values()].map((user) => [user.UserId, user.UserName]));
  const users = [...fake.state.users.values()].map((user) => {
    const tag = (key: string) => user.Tags.find((entry) => entry.Key === key)?.Value;
    return `${user.UserName}${user.Path === '/scim-bridge/' ? '' : ` (path ${user.Path})`}${tag('scim-bridge:displayName') ? ` (${tag('scim-bridge:displayName')})` : ''}${tag('scim-bridge:suspended') !== undefined ? ' SUSPENDED' : ''}`;
  });
  const groups = [...fake.state.groups.values()].map((group) => `${group.GroupName} [${[...group.memberIds].map((id) => nameOf.get(id) ?? id).sort().join(', ')}]`);
  return [`  aws      users:  ${users.sort().join('; ') || '-'}`, `           groups: ${groups.join('; ') || '-'}`];
}
