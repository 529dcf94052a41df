import type { Command } from 'commander';
import type { CliIo } from './io';
import { registerServeCommand } from './serve';
import { registerTokenCommands } from './token';
import { registerLedgerCommands } from './ledger';
import { registerConfigCommands } from './config';
import { registerGrantCommands } from './grant';
import { registerAccessCommands } from './access';
import { registerIdentityCommands } from './identity';
import { registerDeliveryCommands } from './deliveries';
import { registerTargetCommands } from './targets';
import { registerReconcileCommand } from './reconcile';

/** Adds one command group to the program; commands write data to io.stdout and messages to io.stderr. */
export type CommandRegistration = (program: Command, io: CliIo) => void;

/** Every command group of `scim-bridge`, in help order: one line per group. */
export const commandRegistrations: CommandRegistration[] = [
  registerServeCommand,
  registerTokenCommands,
  registerLedgerCommands,
  registerConfigCommands,
  registerGrantCommands,
  registerAccessCommands,
  registerIdentityCommands,
  registerDeliveryCommands,
  registerTargetCommands,
  registerReconcileCommand,
];
