import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DirectoryGroup, DirectoryUser } from './directory';

/** What a file-backed memory directory keeps across process restarts (the crash test kills the server). */
export interface DirectorySnapshot {
  nextId: number;
  users: DirectoryUser[];
  groups: DirectoryGroup[];
  counts: Record<string, number>;
}

export function loadSnapshot(file: string): DirectorySnapshot | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as DirectorySnapshot;
}

/** Write-then-rename, so a kill -9 mid-write leaves the previous snapshot, never half a file. */
export function saveSnapshot(file: string, snapshot: DirectorySnapshot): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(snapshot));
  renameSync(temporary, file);
}
