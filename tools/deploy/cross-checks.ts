import { composeEnvironmentNames } from './compose';
import { containersOf } from './kustomize';
import { arrayAt, at, describeResource, isObject, recordAt, stringAt, type Json, type JsonObject, type Resource } from './manifests';

/**
 * Checks across resources that a schema cannot express: probes on the health endpoints, Services
 * and autoscalers pointing at Deployments that exist, settings coming from ConfigMaps and secret
 * files. Each returns problems as sentences; none means the manifests hang together.
 */

export const LIVENESS_PATH = '/health/live';
export const READINESS_PATH = '/health';
const SECRET_FILE_SUFFIX = '_FILE';

const ofKind = (resources: readonly Resource[], kind: string): Resource[] => resources.filter((resource) => resource.kind === kind);

const sameNamespace = (a: Resource, b: Resource): boolean => (a.namespace ?? '') === (b.namespace ?? '');

function stringRecord(value: Json | undefined): Record<string, string> {
  return isObject(value) ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) : {};
}

function podLabels(deployment: Resource): Record<string, string> {
  return stringRecord(at(deployment.body, 'spec', 'template', 'metadata', 'labels'));
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

function portNames(deployment: Resource): Set<string> {
  return new Set(containersOf(deployment).flatMap((container) => arrayAt(container, 'ports').map((port) => stringAt(port, 'name') ?? '')));
}

function portNumbers(deployment: Resource): Set<number> {
  return new Set(
    containersOf(deployment).flatMap((container) => arrayAt(container, 'ports').map((port) => at(port, 'containerPort')).filter((port): port is number => typeof port === 'number')),
  );
}

function declaresPort(deployment: Resource, port: Json | undefined): boolean {
  return typeof port === 'string' ? portNames(deployment).has(port) : typeof port === 'number' && portNumbers(deployment).has(port);
}

export function probeProblems(resources: readonly Resource[]): string[] {
  const problems: string[] = [];
  for (const deployment of ofKind(resources, 'Deployment')) {
    for (const container of containersOf(deployment)) {
      const where = `${describeResource(deployment)} container ${stringAt(container, 'name') ?? '?'}`;
      for (const [probe, path] of [
        ['livenessProbe', LIVENESS_PATH],
        ['readinessProbe', READINESS_PATH],
      ] as const) {
        const actual = stringAt(container, probe, 'httpGet', 'path');
        if (actual !== path) {
          problems.push(`${where}: ${probe} must be GET ${path} (is ${actual ?? 'missing'})`);
        } else if (!declaresPort(deployment, at(container, probe, 'httpGet', 'port'))) {
          problems.push(`${where}: ${probe} port is not a port of the container`);
        }
      }
    }
  }
  return problems;
}

export function hardeningProblems(resources: readonly Resource[]): string[] {
  const problems: string[] = [];
  for (const deployment of ofKind(resources, 'Deployment')) {
    const pod = recordAt(deployment.body, 'spec', 'template', 'spec', 'securityContext');
    if (pod.runAsNonRoot !== true || typeof pod.runAsUser !== 'number' || pod.runAsUser === 0) {
      problems.push(`${describeResource(deployment)}: the pod must set runAsNonRoot and a non-zero numeric runAsUser`);
    }
    for (const container of containersOf(deployment)) {
      const where = `${describeResource(deployment)} container ${stringAt(container, 'name') ?? '?'}`;
      const security = recordAt(container, 'securityContext');
      if (security.readOnlyRootFilesystem !== true || security.allowPrivilegeEscalation !== false) {
        problems.push(`${where}: needs readOnlyRootFilesystem: true and allowPrivilegeEscalation: false`);
      }
      for (const bound of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (at(container, 'resources', bound, resource) === undefined) {
            problems.push(`${where}: resources.${bound}.${resource} is not set`);
          }
        }
      }
    }
  }
  return problems;
}

export function serviceProblems(resources: readonly Resource[]): string[] {
  const deployments = ofKind(resources, 'Deployment');
  const problems: string[] = [];
  for (const service of ofKind(resources, 'Service')) {
    const selector = stringRecord(at(service.body, 'spec', 'selector'));
    const targets = deployments.filter((deployment) => sameNamespace(service, deployment) && selects(selector, podLabels(deployment)));
    if (targets.length === 0) {
      problems.push(`${describeResource(service)}: its selector ${JSON.stringify(selector)} matches no Deployment's pods`);
      continue;
    }
    for (const port of arrayAt(service.body, 'spec', 'ports')) {
      const targetPort = at(port, 'targetPort') ?? at(port, 'port');
      if (!targets.every((deployment) => declaresPort(deployment, targetPort))) {
        problems.push(`${describeResource(service)}: targetPort ${JSON.stringify(targetPort)} is not a container port of ${targets.map(describeResource).join(', ')}`);
      }
    }
  }
  return problems;
}

/** Every Deployment is autoscaled and disruption-budgeted; no autoscaler exceeds what Kafka can use. */
export function scalingProblems(resources: readonly Resource[], maxUsefulReplicas: number): string[] {
  const deployments = ofKind(resources, 'Deployment');
  const autoscalers = ofKind(resources, 'HorizontalPodAutoscaler');
  const budgets = ofKind(resources, 'PodDisruptionBudget');
  const problems: string[] = [];
  for (const autoscaler of autoscalers) {
    const kind = stringAt(autoscaler.body, 'spec', 'scaleTargetRef', 'kind');
    const name = stringAt(autoscaler.body, 'spec', 'scaleTargetRef', 'name');
    if (kind !== 'Deployment' || !deployments.some((deployment) => deployment.name === name && sameNamespace(deployment, autoscaler))) {
      problems.push(`${describeResource(autoscaler)}: targets ${kind ?? '?'}/${name ?? '?'}, which is not a Deployment here`);
    }
    const max = at(autoscaler.body, 'spec', 'maxReplicas');
    if (typeof max !== 'number' || max > maxUsefulReplicas) {
      problems.push(`${describeResource(autoscaler)}: maxReplicas ${String(max)} exceeds ${maxUsefulReplicas}, the most partitions of any topic`);
    }
  }
  for (const deployment of deployments) {
    if (!autoscalers.some((autoscaler) => stringAt(autoscaler.body, 'spec', 'scaleTargetRef', 'name') === deployment.name)) {
      problems.push(`${describeResource(deployment)}: has no HorizontalPodAutoscaler`);
    } else if (at(deployment.body, 'spec', 'replicas') !== undefined) {
      problems.push(`${describeResource(deployment)}: sets replicas, which fights its HorizontalPodAutoscaler`);
    }
    if (!budgets.some((budget) => sameNamespace(budget, deployment) && selects(stringRecord(at(budget.body, 'spec', 'selector', 'matchLabels')), podLabels(deployment)))) {
      problems.push(`${describeResource(deployment)}: has no PodDisruptionBudget`);
    }
  }
  return problems;
}

function secretMountPaths(deployment: Resource, container: JsonObject): string[] {
  const secretVolumes = new Set(
    arrayAt(deployment.body, 'spec', 'template', 'spec', 'volumes')
      .filter((volume) => at(volume, 'secret') !== undefined)
      .map((volume) => stringAt(volume, 'name')),
  );
  return arrayAt(container, 'volumeMounts')
    .filter((mount) => secretVolumes.has(stringAt(mount, 'name')))
    .map((mount) => stringAt(mount, 'mountPath') ?? '');
}

/**
 * The settings a Deployment's container receives: the keys of the ConfigMaps it takes its
 * environment from, and X for every X_FILE naming a mounted secret. Literal `env` values other
 * than X_FILE are problems: plain settings belong in the ConfigMaps.
 */
export function containerSettings(resources: readonly Resource[], deployment: Resource): { settings: string[]; problems: string[] } {
  const configMaps = ofKind(resources, 'ConfigMap').filter((configMap) => sameNamespace(configMap, deployment));
  const settings = new Set<string>();
  const problems: string[] = [];
  for (const container of containersOf(deployment)) {
    const where = `${describeResource(deployment)} container ${stringAt(container, 'name') ?? '?'}`;
    for (const source of arrayAt(container, 'envFrom')) {
      const name = stringAt(source, 'configMapRef', 'name');
      const configMap = configMaps.find((candidate) => candidate.name === name);
      if (configMap === undefined) {
        problems.push(`${where}: envFrom names ConfigMap ${name ?? '?'}, which does not exist`);
        continue;
      }
      Object.keys(recordAt(configMap.body, 'data')).forEach((key) => settings.add(key));
    }
    const mounts = secretMountPaths(deployment, container);
    for (const variable of arrayAt(container, 'env')) {
      const name = stringAt(variable, 'name') ?? '';
      const file = stringAt(variable, 'value') ?? '';
      if (!name.endsWith(SECRET_FILE_SUFFIX)) {
        problems.push(`${where}: env ${name} should come from a ConfigMap (only <SETTING>_FILE belongs in env)`);
      } else if (!mounts.some((mountPath) => file.startsWith(`${mountPath}/`))) {
        problems.push(`${where}: ${name}=${file} is not inside a mounted secret volume`);
      } else {
        settings.add(name.slice(0, -SECRET_FILE_SUFFIX.length));
      }
    }
  }
  return { settings: [...settings].sort(), problems };
}

/** The Secrets the Deployments mount; they are created outside the repository. */
export function mountedSecrets(resources: readonly Resource[]): string[] {
  return ofKind(resources, 'Deployment')
    .flatMap((deployment) => arrayAt(deployment.body, 'spec', 'template', 'spec', 'volumes').map((volume) => stringAt(volume, 'secret', 'secretName')))
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** Named ports a NetworkPolicy allows must exist on the pods it selects. */
export function networkPolicyProblems(resources: readonly Resource[]): string[] {
  const policies = ofKind(resources, 'NetworkPolicy');
  const problems: string[] = [];
  const denyAll = policies.some(
    (policy) =>
      Object.keys(recordAt(policy.body, 'spec', 'podSelector')).length === 0 &&
      ['Ingress', 'Egress'].every((type) => arrayAt(policy.body, 'spec', 'policyTypes').includes(type)) &&
      arrayAt(policy.body, 'spec', 'ingress').length === 0 &&
      arrayAt(policy.body, 'spec', 'egress').length === 0,
  );
  if (!denyAll) {
    problems.push('no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)');
  }
  for (const policy of policies) {
    const selector = stringRecord(at(policy.body, 'spec', 'podSelector', 'matchLabels'));
    const selected = ofKind(resources, 'Deployment').filter((deployment) => sameNamespace(policy, deployment) && selects(selector, podLabels(deployment)));
    const namedPorts = arrayAt(policy.body, 'spec', 'ingress')
      .flatMap((rule) => arrayAt(rule, 'ports'))
      .map((port) => at(port, 'port'))
      .filter((port): port is string => typeof port === 'string');
    for (const port of namedPorts) {
      if (selected.length === 0 || !selected.every((deployment) => portNames(deployment).has(port))) {
        problems.push(`${describeResource(policy)}: allows port "${port}", which not every selected pod declares`);
      }
    }
  }
  return problems;
}

/** Each compose service sets exactly the settings its Kubernetes Deployment receives. */
export function composeParityProblems(compose: Json, resources: readonly Resource[], services: readonly string[]): string[] {
  const problems: string[] = [];
  for (const service of services) {
    const deployment = ofKind(resources, 'Deployment').find((candidate) => candidate.name === service);
    if (deployment === undefined) {
      problems.push(`${service}: no Deployment`);
      continue;
    }
    const kubernetes = new Set(containerSettings(resources, deployment).settings);
    const composed = new Set(composeEnvironmentNames(compose, service));
    const onlyCompose = [...composed].filter((name) => !kubernetes.has(name));
    const onlyKubernetes = [...kubernetes].filter((name) => !composed.has(name));
    if (onlyCompose.length > 0 || onlyKubernetes.length > 0) {
      problems.push(`${service}: only in docker-compose.yml [${onlyCompose.join(', ')}], only in Kubernetes [${onlyKubernetes.join(', ')}]`);
    }
  }
  return problems;
}
