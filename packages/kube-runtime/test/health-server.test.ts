import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type HealthServer, startHealthServer } from '../src/health-server.ts';

// Over real HTTP on a loopback port.
describe('health server', () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(checks: { healthz: () => boolean | string; readyz: () => boolean | string }) {
    const registry = new Registry();
    new Counter({ name: 'demo_total', help: 'demo', registers: [registry] }).inc(3);
    server = await startHealthServer({ host: '127.0.0.1', port: 0, registry, checks });
    const base = `http://127.0.0.1:${server.port}`;
    const get = async (path: string, method = 'GET') => {
      const res = await fetch(base + path, { method });
      return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
    };
    return { get };
  }

  it('answers 200 ok on /healthz and /readyz while the checks pass', async () => {
    const { get } = await start({ healthz: () => true, readyz: () => true });
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('answers 503 with the failing reason', async () => {
    let ready: boolean | string = 'informer cache not synced';
    const { get } = await start({ healthz: () => false, readyz: () => ready });
    expect(await get('/readyz')).toMatchObject({ status: 503, body: 'informer cache not synced\n' });
    expect(await get('/healthz')).toMatchObject({ status: 503, body: 'not ok\n' });
    ready = true;
    expect(await get('/readyz')).toMatchObject({ status: 200 });
  });

  it('answers 503 when a check throws', async () => {
    const { get } = await start({
      healthz: () => {
        throw new Error('broken check');
      },
      readyz: () => true,
    });
    expect(await get('/healthz')).toMatchObject({ status: 503, body: 'check threw: broken check\n' });
  });

  it('serves the registry in the Prometheus exposition format on /metrics', async () => {
    const { get } = await start({ healthz: () => true, readyz: () => true });
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.body).toContain('demo_total 3');
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    const { get } = await start({ healthz: () => true, readyz: () => true });
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/healthz', 'POST')).status).toBe(405);
  });

  it('stops listening on close', async () => {
    const { get } = await start({ healthz: () => true, readyz: () => true });
    await get('/healthz');
    await server!.close();
    server = undefined;
    await expect(get('/healthz')).rejects.toThrow();
  });
});
