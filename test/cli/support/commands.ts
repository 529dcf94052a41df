import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { createProgram } from '../../../src/cli/program';

export interface CommandLine {
  /** The command's words, e.g. ['deliveries', 'list']. */
  path: string[];
  command: Command;
}

/** Every command of the program, walked from its definition, so a test over them covers commands added later. */
export function everyCommand(): CommandLine[] {
  const found: CommandLine[] = [];
  const walk = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      found.push({ path: [...path, sub.name()], command: sub });
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(createProgram({ stdout: new PassThrough(), stderr: new PassThrough(), env: {} }), []);
  return found;
}

/** The words that run the command with a placeholder for each argument and required option. */
export function minimalArgv({ path, command }: CommandLine, placeholder = 'x'): string[] {
  const required = command.options.filter((option) => option.mandatory).flatMap((option) => [option.long!, placeholder]);
  return [...path, ...command.registeredArguments.filter((argument) => argument.required).map(() => placeholder), ...required];
}
