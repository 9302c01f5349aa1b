// What a kubelet would do with the chart's Deployment, said as `podman run` arguments: the pod's
// and the container's securityContext, resources, volumes, environment and grace period, read
// from the rendered manifest (helm template), never written out again here. Anything in those
// fields that this translation does not know is refused, so it cannot silently drift from the
// chart. Pure: the caller provides the host side of volumes and mounts.
import { parseCpuQuantity, parseMemoryQuantity } from '../../../bench/pod-limits.ts';
import type { Manifest } from '../tools/helm-chart.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field
type Obj = Record<string, any>;

export interface PodmanMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface PodmanRunInput {
  deployment: Manifest;
  /** Container name (also the pod's hostname). */
  name: string;
  /** The container's environment, resolved (ConfigMap, then env, fieldRefs filled in). */
  env: Record<string, string>;
  /** The host side of each of the pod's volumes, by volume name. */
  volumes: Record<string, string>;
  /** Mounts a pod gets from elsewhere (e.g. a kubeconfig in place of the service account's token). */
  extraMounts?: PodmanMount[];
  /** --ulimit values: within this machine's hard limits (podman's defaults exceed them here). */
  ulimits: { nofile: number; nproc: number };
}

export interface PodmanRun {
  image: string;
  /** Everything between `podman run` and the image. */
  args: string[];
  /** The pod's user, as the container runs it. */
  user: { uid: number; gid: number; fsGroup: number | undefined };
  stopTimeoutSeconds: number;
  memoryLimitBytes: number | undefined;
}

const POD_SECURITY = new Set(['runAsNonRoot', 'runAsUser', 'runAsGroup', 'fsGroup', 'seccompProfile']);
const CONTAINER_SECURITY = new Set([
  'allowPrivilegeEscalation',
  'privileged',
  'readOnlyRootFilesystem',
  'runAsNonRoot',
  'runAsUser',
  'runAsGroup',
  'capabilities',
  'seccompProfile',
]);

function refuseUnknown(what: string, object: Obj | undefined, known: Set<string>): void {
  for (const key of Object.keys(object ?? {})) {
    if (!known.has(key)) throw new Error(`${what}.${key} is not translated to podman (pod-to-podman.ts)`);
  }
}

/** The kubelet's CPU shares for a CPU request: millicores * 1024 / 1000, at least 2. */
export function cpuShares(request: string): number {
  return Math.max(2, Math.floor((parseCpuQuantity(request) * 1024) / 1000));
}

export function podmanRunFor(input: PodmanRunInput): PodmanRun {
  const pod = input.deployment.spec.template.spec as Obj;
  const containers = pod.containers as Obj[];
  if (containers.length !== 1)
    throw new Error(`the pod has ${containers.length} containers; one is translated`);
  const container = containers[0]!;
  const podSecurity = (pod.securityContext ?? {}) as Obj;
  const security = (container.securityContext ?? {}) as Obj;
  refuseUnknown('securityContext', podSecurity, POD_SECURITY);
  refuseUnknown('containers[0].securityContext', security, CONTAINER_SECURITY);

  const args: string[] = ['--name', input.name, '--hostname', input.name];

  // The user: the container's settings win over the pod's, as in Kubernetes.
  const uid = security.runAsUser ?? podSecurity.runAsUser;
  const gid = security.runAsGroup ?? podSecurity.runAsGroup ?? uid;
  if (typeof uid !== 'number')
    throw new Error('the chart sets no numeric runAsUser; the kubelet could not verify runAsNonRoot');
  if ((security.runAsNonRoot ?? podSecurity.runAsNonRoot) === true && uid === 0)
    throw new Error('runAsNonRoot with runAsUser 0: the kubelet would refuse to start this container');
  args.push('--user', `${uid}:${gid}`);
  const fsGroup = podSecurity.fsGroup as number | undefined;
  // The kubelet adds fsGroup to the process's supplementary groups and gives volumes that group.
  if (fsGroup !== undefined) args.push('--group-add', String(fsGroup));

  if (security.privileged === true) args.push('--privileged');
  if (security.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  const capabilities = (security.capabilities ?? {}) as { drop?: string[]; add?: string[] };
  refuseUnknown('containers[0].securityContext.capabilities', capabilities, new Set(['drop', 'add']));
  for (const cap of capabilities.drop ?? []) args.push('--cap-drop', cap.toLowerCase());
  for (const cap of capabilities.add ?? []) args.push('--cap-add', cap.toLowerCase());
  const seccomp = (security.seccompProfile ?? podSecurity.seccompProfile)?.type as string | undefined;
  // RuntimeDefault: the runtime's default profile, which podman applies unless told otherwise.
  if (seccomp === 'Unconfined') args.push('--security-opt', 'seccomp=unconfined');
  else if (seccomp !== undefined && seccomp !== 'RuntimeDefault')
    throw new Error(`seccompProfile ${seccomp} is not translated`);
  if (security.readOnlyRootFilesystem === true) {
    // Only the pod's volumes are writable: no tmpfs of podman's own on /tmp, /var/tmp or /run.
    args.push('--read-only', '--read-only-tmpfs=false');
  }

  const resources = (container.resources ?? {}) as Obj;
  refuseUnknown('containers[0].resources', resources, new Set(['limits', 'requests']));
  refuseUnknown('containers[0].resources.limits', resources.limits, new Set(['cpu', 'memory']));
  refuseUnknown('containers[0].resources.requests', resources.requests, new Set(['cpu', 'memory']));
  let memoryLimitBytes: number | undefined;
  if (resources.limits?.memory) {
    memoryLimitBytes = parseMemoryQuantity(String(resources.limits.memory));
    // No swap beyond the limit, as the kubelet sets it.
    args.push('--memory', String(memoryLimitBytes), '--memory-swap', String(memoryLimitBytes));
  }
  if (resources.limits?.cpu)
    args.push('--cpus', String(parseCpuQuantity(String(resources.limits.cpu)) / 1000));
  if (resources.requests?.cpu) args.push('--cpu-shares', String(cpuShares(String(resources.requests.cpu))));
  // requests.memory only places the pod on a node; nothing in the container enforces it.

  const stopTimeoutSeconds = Number(pod.terminationGracePeriodSeconds ?? 30);
  args.push('--stop-timeout', String(stopTimeoutSeconds));

  const podVolumes = new Map(((pod.volumes ?? []) as Obj[]).map((v) => [v.name as string, v]));
  for (const mount of (container.volumeMounts ?? []) as Obj[]) {
    refuseUnknown('containers[0].volumeMounts[]', mount, new Set(['name', 'mountPath', 'readOnly']));
    const volume = podVolumes.get(mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name} names no volume of the pod`);
    const hostPath = input.volumes[mount.name];
    if (!hostPath) throw new Error(`no host directory given for the pod's volume ${mount.name}`);
    args.push('--volume', `${hostPath}:${mount.mountPath}:${mount.readOnly ? 'ro' : 'rw'}`);
  }
  for (const mount of input.extraMounts ?? [])
    args.push('--volume', `${mount.hostPath}:${mount.containerPath}:${mount.readOnly ? 'ro' : 'rw'}`);

  for (const [name, value] of Object.entries(input.env)) args.push('--env', `${name}=${value}`);
  args.push('--ulimit', `nofile=${input.ulimits.nofile}:${input.ulimits.nofile}`);
  args.push('--ulimit', `nproc=${input.ulimits.nproc}:${input.ulimits.nproc}`);

  const pullPolicy = container.imagePullPolicy as string | undefined;
  if (pullPolicy === 'Always')
    throw new Error('imagePullPolicy Always: no registry is reachable to pull from');
  args.push('--pull=never');

  return {
    image: container.image as string,
    args,
    user: { uid, gid, fsGroup },
    stopTimeoutSeconds,
    memoryLimitBytes,
  };
}

/** This process's hard limit of a resource in /proc/self/limits ("Max open files", "Max processes"). */
export function hardLimit(limitsText: string, resource: string): number {
  const line = limitsText.split('\n').find((l) => l.startsWith(resource));
  const hard = line?.slice(resource.length).trim().split(/\s+/)[1];
  if (!hard) throw new Error(`no "${resource}" in /proc/self/limits`);
  // unlimited: a figure no container needs more of.
  return hard === 'unlimited' ? 1_048_576 : Number(hard);
}
