import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeAnswer {
  status: number;
  body: string;
}

export interface ProbeOptions {
  /** PEM bundle that must have signed the server certificate (https only). */
  ca?: string;
  bearerToken?: string;
  timeoutMs?: number;
}

/**
 * One GET, for readiness checks: resolves with the status and body of any HTTP answer and
 * rejects on connection errors and timeouts, which callers treat as "not yet".
 */
export function probe(url: string, options: ProbeOptions = {}): Promise<ProbeAnswer> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        ca: options.ca,
        headers: options.bearerToken ? { authorization: `Bearer ${options.bearerToken}` } : {},
        timeout: options.timeoutMs ?? 2_000,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 2_000} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}
