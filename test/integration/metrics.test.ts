// Scraping a running operator's /metrics shows the documented series for a live key: its
// readiness, version and age, the exchange calls made for it, the work queue and leadership.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ operator: { healthPort: 0 } });
});

afterAll(async () => {
  await h.stop();
});

async function scrape(): Promise<string> {
  const port = h.operator().health?.port;
  if (port === undefined) throw new Error('the operator has no health server');
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the first sample of `metric` whose labels include every `labels` pair. */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('/metrics on a running operator', () => {
  it('should show the documented series for a live key', async () => {
    await h.createKey('metered');
    await h.waitForCondition('metered', { type: 'Ready', status: 'True' });
    const key = { namespace: h.namespace, name: 'metered', exchange: 'bybit' };
    const text = await scrape();
    expect(sample(text, 'exkey_key_ready', key)).toBe(1);
    expect(sample(text, 'exkey_key_degraded', key)).toBe(0);
    expect(sample(text, 'exkey_key_current_version', key)).toBe(1);
    expect(sample(text, 'exkey_key_age_seconds', key)).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'exkey_exchange_requests_total', { venue: 'bybit', path: '/v5/user/create-sub-api', code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'exkey_exchange_request_duration_seconds_count', { venue: 'bybit', path: '/v5/user/query-api' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'exkey_workqueue_adds_total', { queue: 'exchangekey' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'exkey_reconcile_duration_seconds_count', { controller: 'exchangekey' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'exkey_rotations_completed_total', { reason: 'Initial' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'exkey_leader', {})).toBe(1);
    expect(text).toContain('# TYPE exkey_key_expiry_timestamp_seconds gauge');
  });

  it('should stop reporting a key once it is deleted', async () => {
    await h.createKey('short-lived');
    await h.waitForCondition('short-lived', { type: 'Ready', status: 'True' });
    expect(sample(await scrape(), 'exkey_key_ready', { name: 'short-lived' })).toBe(1);
    await h.kube.send({ method: 'DELETE', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys/short-lived` });
    await expect.poll(async () => sample(await scrape(), 'exkey_key_ready', { name: 'short-lived' }), { timeout: 30_000 }).toBeUndefined();
  });
});
