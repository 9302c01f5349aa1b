import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type RequestOptions, request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseManifests, testKubeConfig } from '../../support/kube.ts';

// The global setup installs crds/*.yaml on the shared control plane. The server must store each
// file's schema verbatim, CEL rules (x-kubernetes-validations) included: client-node's typed
// serialisation drops such keys silently, and every immutability test would then pass against a
// CRD without its rules. Compared as raw JSON for the same reason.
const crdDir = fileURLToPath(new URL('../../../crds/', import.meta.url));
const files = existsSync(crdDir) ? readdirSync(crdDir).filter((name) => name.endsWith('.yaml')) : [];

interface RawCrd {
  metadata: { name: string };
  spec: { versions: { name: string; schema?: unknown }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

describe('the CRDs installed by the global setup', () => {
  it('come from crds/*.yaml', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s is Established with its schema exactly as in the file', async (file) => {
    for (const crd of parseManifests(readFileSync(`${crdDir}${file}`, 'utf8')) as unknown as RawCrd[]) {
      const stored = await readRaw(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      );
      expect(stored.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
      expect(stored.spec.versions.map((v) => [v.name, v.schema])).toEqual(
        crd.spec.versions.map((v) => [v.name, v.schema]),
      );
    }
  });
});

async function readRaw(path: string): Promise<RawCrd> {
  const kc = testKubeConfig();
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    request(new URL(path, kc.getCurrentCluster()!.server), options, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve(JSON.parse(text)));
    })
      .on('error', reject)
      .end();
  });
}
