import { checkLoopbackAddress } from '../../../lib/inference/address';
import { loadInferenceConfig } from '../../../sidecars/inference/config';
import { startSidecar } from './harness';

describe('inference config', () => {
  it('accepts loopback addresses and unix sockets', () => {
    for (const address of ['127.0.0.1:50151', 'localhost:1', '[::1]:50151', 'unix:/run/aigw/inference.sock'])
      expect(checkLoopbackAddress(address)).toBe(address);
  });

  it.each(['0.0.0.0:50151', '10.0.0.5:50151', '[::]:50151', 'example.com:50151', '50151', 'unix:'])('refuses %s', (address) => {
    expect(() => checkLoopbackAddress(address)).toThrow(/INFERENCE_ADDRESS/);
  });

  it('refuses a non-loopback host before binding anything', async () => {
    await expect(startSidecar({ INFERENCE_ADDRESS: '0.0.0.0:0' })).rejects.toThrow(/binds only 127.0.0.1/);
  });

  it('has bounded defaults and refuses nonsense', () => {
    const config = loadInferenceConfig({});
    expect(config).toMatchObject({
      address: '127.0.0.1:50151',
      queueMax: 64,
      maxMessageBytes: 8 * 1024 * 1024,
      embedModel: 'use-lite',
      builtinEmbedder: true,
      testHooks: false,
      metricsPort: null,
    });
    expect(config.workers).toBeGreaterThanOrEqual(1);
    expect(() => loadInferenceConfig({ INFERENCE_WORKERS: '0' })).toThrow(/INFERENCE_WORKERS/);
    expect(() => loadInferenceConfig({ INFERENCE_QUEUE_MAX: 'many' })).toThrow(/INFERENCE_QUEUE_MAX/);
    expect(() => loadInferenceConfig({ INFERENCE_TEST_HOOKS: 'yes' })).toThrow(/INFERENCE_TEST_HOOKS/);
  });
});
