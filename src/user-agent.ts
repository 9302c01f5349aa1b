/**
 * How the operator names itself in every request, to the console and to the API server (whose
 * audit log and `kubectl get --raw /metrics` attribute requests by it).
 */
export const USER_AGENT = 'rainbond-appcopy-operator';
