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

/**
 * Whether a Kubernetes label selector (matchLabels and matchExpressions) selects these labels.
 * An empty selector selects every pod, as in a NetworkPolicy.
 */
export function labelSelectorMatches(selector: Json | undefined, labels: Record<string, string>): boolean {
  const matchLabels = Object.entries(stringRecord(at(selector, 'matchLabels')));
  const expressions = arrayAt(selector, 'matchExpressions');
  return (
    matchLabels.every(([key, value]) => labels[key] === value) &&
    expressions.every((expression) => {
      const key = stringAt(expression, 'key') ?? '';
      const values = arrayAt(expression, 'values');
      const present = Object.hasOwn(labels, key);
      const operators: Record<string, () => boolean> = {
        In: () => present && values.includes(labels[key]),
        NotIn: () => !present || !values.includes(labels[key]),
        Exists: () => present,
        DoesNotExist: () => !present,
      };
      const operator = stringAt(expression, 'operator') ?? '';
      return Object.hasOwn(operators, operator) && operators[operator]();
    })
  );
}

/** The egress rules of the NetworkPolicies that select a Deployment's pods and restrict their egress. */
function egressRules(resources: readonly Resource[], deployment: Resource): Array<{ policy: Resource; rule: Json }> {
  return ofKind(resources, 'NetworkPolicy')
    .filter((policy) => sameNamespace(policy, deployment) && labelSelectorMatches(at(policy.body, 'spec', 'podSelector'), podLabels(deployment)))
    .filter((policy) => {
      const types = arrayAt(policy.body, 'spec', 'policyTypes');
      return types.length > 0 ? types.includes('Egress') : at(policy.body, 'spec', 'egress') !== undefined;
    })
    .flatMap((policy) => arrayAt(policy.body, 'spec', 'egress').map((rule) => ({ policy, rule })));
}

/** A rule's TCP ports that cover this port (a rule without ports allows every port). */
function coversTcpPort(rule: Json, port: number): 'listed' | 'any' | undefined {
  const ports = arrayAt(rule, 'ports');
  if (ports.length === 0) {
    return 'any';
  }
  const listed = ports.some((entry) => {
    const from = at(entry, 'port');
    const to = at(entry, 'endPort');
    const protocol = stringAt(entry, 'protocol') ?? 'TCP';
    return protocol === 'TCP' && typeof from === 'number' && (from === port || (typeof to === 'number' && from <= port && port <= to));
  });
  return listed ? 'listed' : undefined;
}

/** A server the services reach through a URL setting: Redis through REDIS_URL on 6379, say. */
export interface BackingService {
  name: string;
  setting: string;
  port: number;
}

/**
 * Each service that opens a connection to the backing server (`uses`, derived from the code) is
 * given its URL setting (not left to the class default, which names 127.0.0.1) and a
 * NetworkPolicy egress rule to its port; a service that does not use it is given neither.
 */
export function backingServiceProblems(resources: readonly Resource[], backing: BackingService, uses: Readonly<Record<string, boolean>>): string[] {
  const problems: string[] = [];
  for (const [service, used] of Object.entries(uses)) {
    const deployment = ofKind(resources, 'Deployment').find((candidate) => candidate.name === service);
    if (deployment === undefined) {
      problems.push(`${service}: no Deployment`);
      continue;
    }
    const hasSetting = containerSettings(resources, deployment).settings.includes(backing.setting);
    const rules = egressRules(resources, deployment).map(({ policy, rule }) => ({ policy, covers: coversTcpPort(rule, backing.port) }));
    if (used && !hasSetting) {
      problems.push(`${service}: uses ${backing.name} but gets no ${backing.setting} (ConfigMap or ${backing.setting}${SECRET_FILE_SUFFIX}), so it would use the default`);
    }
    if (used && !rules.some(({ covers }) => covers !== undefined)) {
      problems.push(`${service}: uses ${backing.name} but no NetworkPolicy allows its pods egress to port ${backing.port}`);
    }
    if (!used && hasSetting) {
      problems.push(`${service}: gets ${backing.setting} but does not use ${backing.name}`);
    }
    if (!used) {
      const granting = [...new Set(rules.filter(({ covers }) => covers === 'listed').map(({ policy }) => describeResource(policy)))];
      if (granting.length > 0) {
        problems.push(`${service}: ${granting.join(', ')} allows egress to port ${backing.port} but it does not use ${backing.name}`);
      }
    }
  }
  return problems;
}

/** The keys each mounted Secret must hold: the files the containers' <SETTING>_FILE variables name in it. */
export function secretKeysRead(resources: readonly Resource[]): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const deployment of ofKind(resources, 'Deployment')) {
    const volumes = arrayAt(deployment.body, 'spec', 'template', 'spec', 'volumes');
    for (const container of containersOf(deployment)) {
      for (const mount of arrayAt(container, 'volumeMounts')) {
        const secret = stringAt(volumes.find((volume) => stringAt(volume, 'name') === stringAt(mount, 'name')), 'secret', 'secretName');
        const mountPath = stringAt(mount, 'mountPath');
        if (secret === undefined || mountPath === undefined) {
          continue;
        }
        const files = arrayAt(container, 'env')
          .filter((variable) => (stringAt(variable, 'name') ?? '').endsWith(SECRET_FILE_SUFFIX))
          .map((variable) => stringAt(variable, 'value') ?? '')
          .filter((file) => file.startsWith(`${mountPath}/`))
          .map((file) => file.slice(mountPath.length + 1));
        keys[secret] = [...new Set([...(keys[secret] ?? []), ...files])].sort();
      }
    }
  }
  return keys;
}

/**
 * In docker-compose.yml, each service that uses the backing server sets its URL to a compose
 * service it waits for (depends_on); one that does not use it does not set the URL.
 */
export function composeBackingServiceProblems(compose: Json, backing: BackingService, uses: Readonly<Record<string, boolean>>): string[] {
  const problems: string[] = [];
  for (const [service, used] of Object.entries(uses)) {
    const definition = recordAt(compose, 'services', service);
    const url = stringRecordOrList(definition.environment)[backing.setting];
    if (!used) {
      if (url !== undefined) {
        problems.push(`docker-compose.yml ${service}: sets ${backing.setting} but does not use ${backing.name}`);
      }
      continue;
    }
    if (url === undefined) {
      problems.push(`docker-compose.yml ${service}: uses ${backing.name} but sets no ${backing.setting}`);
      continue;
    }
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      problems.push(`docker-compose.yml ${service}: ${backing.setting} is not a URL`);
      continue;
    }
    const dependsOn = Array.isArray(definition.depends_on) ? definition.depends_on : Object.keys(recordAt(definition, 'depends_on'));
    if (!isObject(recordAt(compose, 'services')[host])) {
      problems.push(`docker-compose.yml ${service}: ${backing.setting} names host ${host}, which is not a compose service`);
    } else if (!dependsOn.includes(host)) {
      problems.push(`docker-compose.yml ${service}: uses ${backing.name} at ${host} but does not depend on it (depends_on)`);
    }
  }
  return problems;
}

/** A compose environment (map, or KEY=value list) as strings. */
function stringRecordOrList(environment: Json | undefined): Record<string, string> {
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment
        .filter((entry): entry is string => typeof entry === 'string')
        .map((entry) => (entry.includes('=') ? [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] : [entry, ''])),
    );
  }
  return isObject(environment) ? Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)])) : {};
}
