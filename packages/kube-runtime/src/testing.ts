// What tests of code built on this runtime may use: `@appcopy/kube-runtime/testing`.
export { createFakeClock, FAKE_CLOCK_START_MS, type FakeClock } from './testing/fake-clock.ts';
