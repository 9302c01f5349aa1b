// Finding programs the test bed builds or needs (go, the cached kube-apiserver, helm, ...).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `command` in a PATH-like list, or undefined. */
export function findOnPath(command: string, pathVariable: string): string | undefined {
  return pathVariable
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, command))
    .find(isExecutable);
}
