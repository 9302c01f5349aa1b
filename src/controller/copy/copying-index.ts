// Which AppCopies are mid-copy (phase Copying) into which target app. Fed by the informer and,
// synchronously, by the operator's own status writes: after a copy ends with an unknown
// outcome, the target must stay reserved at once, not only once the watch delivers the change,
// or a second AppCopy could copy into the same app in between and make verification ambiguous.
import { objectKey } from '../../api/appcopy.ts';
import { type CachedAppCopy, isOlderVersion } from '../cached-appcopy.ts';

export interface CopyingIndex {
  /** Records the state of one AppCopy; older resourceVersions than the last seen are ignored. */
  observe(c: CachedAppCopy): void;
  /** The AppCopy is gone. */
  forget(c: Pick<CachedAppCopy, 'namespace' | 'name'>): void;
  copyingInto(target: string, exceptKey: string): string[];
}

export function createCopyingIndex(onTargetFree: (target: string) => void): CopyingIndex {
  const latest = new Map<string, { resourceVersion: string; target: string | undefined }>();
  const byTarget = new Map<string, Set<string>>();

  function remove(key: string): void {
    const previous = latest.get(key);
    if (!previous?.target) return;
    const set = byTarget.get(previous.target);
    if (!set?.delete(key)) return;
    if (set.size === 0) {
      byTarget.delete(previous.target);
      onTargetFree(previous.target);
    }
  }

  return {
    observe(c) {
      const key = objectKey(c);
      const known = latest.get(key);
      if (known && isOlderVersion(c.resourceVersion, known.resourceVersion)) return;
      remove(key);
      const copying = c.phase === 'Copying' && c.target !== undefined;
      latest.set(key, { resourceVersion: c.resourceVersion, target: copying ? c.target : undefined });
      if (copying) {
        const set = byTarget.get(c.target!) ?? new Set<string>();
        byTarget.set(c.target!, set);
        set.add(key);
      }
    },
    forget(c) {
      const key = objectKey(c);
      remove(key);
      latest.delete(key);
    },
    copyingInto(target, exceptKey) {
      return [...(byTarget.get(target) ?? [])].filter((k) => k !== exceptKey);
    },
  };
}
