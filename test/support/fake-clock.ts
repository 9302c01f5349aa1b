// The one fake clock of this repository's tests is the runtime's (@appcopy/kube-runtime/testing):
// it serves the runtime's Clock (the work queue, the informer, leader election) and, through its
// `now` and `manual`, the simulator's clock, so a test that drives both moves one time.
export { createFakeClock, FAKE_CLOCK_START_MS, type FakeClock } from '@appcopy/kube-runtime/testing';
