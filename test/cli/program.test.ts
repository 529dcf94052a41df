import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store';
import { everyCommand, minimalArgv } from './support/commands';
import { cli, tempDir } from './support/run-cli';

const VERSION = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;

describe('scim-bridge --version', () => {
  it.each(['--version', '-V'])('%s prints the package version and exits 0', async (flag) => {
    expect(await cli([flag])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe('integer options', () => {
  /** Every option of every command whose value is a number, found by walking the program (so new ones are covered too). */
  function integerOptions(): Array<{ command: string[]; flag: string }> {
    return everyCommand().flatMap(({ path, command }) =>
      command.options.filter((option) => /<(n|seq)>/.test(option.flags)).map((option) => ({ command: path, flag: option.long! })));
  }

  it('exist on the commands that page, start or listen', () => {
    expect(integerOptions().map(({ command, flag }) => `${command.join(' ')} ${flag}`).sort()).toEqual([
      'deliveries dead --limit', 'deliveries list --limit', 'ledger export --since', 'serve --port',
    ]);
  });

  it.each(integerOptions().flatMap(({ command, flag }) => ['abc', '1.5', '-1', '99999999999999999999'].map((value) => [command.join(' '), flag, value])))(
    '%s %s %s is a usage error naming the option, before any database is opened',
    async (command, flag, value) => {
      const db = join(tempDir('integer-option'), 'never-created.db');
      const run = await cli([...command.split(' '), flag, value, '--db', db]);
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toMatch(new RegExp(`option '${flag} <\\w+>' argument '${value}' is invalid\\. must be an integer`));
      expect(existsSync(db)).toBe(false);
    },
  );

  it('accepts an integer in range', async () => {
    const db = join(tempDir('integer-option-ok'), 'bridge.db');
    Store.open(db).close();
    expect(await cli(['deliveries', 'list', '--limit', '5', '--db', db])).toMatchObject({ code: 0 });
    expect(await cli(['ledger', 'export', '--since', '0', '--db', db])).toMatchObject({ code: 0 });
  });
});

describe('--db', () => {
  const databaseCommands = everyCommand().filter(({ command }) => command.options.some((option) => option.long === '--db'));

  it.each(databaseCommands.map((line) => [line.path.join(' '), line]))('%s --db DIRECTORY names the directory', async (_name, line) => {
    const directory = tempDir('db-directory');
    expect(await cli([...minimalArgv(line), '--db', directory])).toEqual({
      code: 1, stdout: '', stderr: `database ${directory} is a directory, not a database file (use --db FILE or SCIM_BRIDGE_DB)\n`,
    });
  });

  it.each([['ledger', 'verify'], ['ledger', 'export'], ['token', 'list']])('%s %s --db in a missing directory says the file does not exist', async (...command) => {
    const missing = join(tempDir('db-missing'), 'no-such-dir', 'bridge.db');
    expect(await cli([...command, '--db', missing])).toEqual({ code: 1, stdout: '', stderr: `database ${missing} does not exist (use --db or SCIM_BRIDGE_DB)\n` });
    expect(existsSync(join(missing, '..'))).toBe(false);
  });
});
