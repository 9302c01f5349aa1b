// vitest globalSetup of the `integration` project: one control plane for the whole run, the
// project's CRDs installed on it, its kubeconfig handed to tests through inject(). If it cannot
// start, the run fails here with the reason: integration tests never skip.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { applyManifestFile } from './apply-manifests.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the shared control plane (see test/support/kube.ts). */
    kubeconfigPath: string;
    /** https://127.0.0.1:<port> of the shared kube-apiserver. */
    controlPlaneServer: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) =>
    process.stderr.write(`${line.startsWith('[') ? '' : '[control plane] '}${line}\n`);
  let controlPlane: ControlPlane;
  try {
    controlPlane = await startControlPlane({ log });
  } catch (error) {
    throw new Error(
      `The integration tests need a local control plane, and it could not start.\n${message(error)}`,
      {
        cause: error,
      },
    );
  }
  try {
    const crdDir = join(project.config.root, 'crds');
    if (existsSync(crdDir)) {
      const kc = controlPlane.kubeConfig();
      for (const file of readdirSync(crdDir)
        .filter((name) => name.endsWith('.yaml'))
        .sort()) {
        await applyManifestFile(kc, join(crdDir, file));
        log(`applied crds/${file}`);
      }
    }
  } catch (error) {
    await controlPlane.stop();
    throw new Error(`Installing crds/ on the test control plane failed: ${message(error)}`, { cause: error });
  }
  controlPlane.failure.then((error) =>
    log(`the shared control plane broke; later tests will fail:\n${error.message}`),
  );
  project.provide('kubeconfigPath', controlPlane.kubeconfigPath);
  project.provide('controlPlaneServer', controlPlane.server);
  return () => controlPlane.stop();
}

function message(error: unknown): string {
  if (error instanceof Error) {
    const body = (error as { body?: unknown }).body;
    return body === undefined ? error.message : `${error.message} ${JSON.stringify(body)}`;
  }
  return String(error);
}
