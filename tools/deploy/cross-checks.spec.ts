import {
  backingServiceProblems,
  composeBackingServiceProblems,
  composeParityProblems,
  containerSettings,
  hardeningProblems,
  labelSelectorMatches,
  networkPolicyProblems,
  probeProblems,
  scalingProblems,
  secretKeysRead,
  serviceProblems,
  type BackingService,
} from './cross-checks';
import { asResource, type Json, type JsonObject, type Resource } from './manifests';

const labels = { 'app.kubernetes.io/name': 'api' };

function deploymentBody(): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000 },
          containers: [
            {
              name: 'api',
              image: 'api:1',
              ports: [{ name: 'http', containerPort: 3000 }],
              envFrom: [{ configMapRef: { name: 'api-config' } }],
              env: [{ name: 'DATABASE_URL_FILE', value: '/run/secrets/sc/database-url' }],
              livenessProbe: { httpGet: { path: '/health/live', port: 'http' } },
              readinessProbe: { httpGet: { path: '/health', port: 'http' } },
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
              volumeMounts: [{ name: 'secrets', mountPath: '/run/secrets/sc' }],
            },
          ],
          volumes: [{ name: 'secrets', secret: { secretName: 'api-secrets' } }],
        },
      },
    },
  };
}

function resources(edit: (bodies: Record<string, JsonObject>) => void = () => undefined): Resource[] {
  const bodies: Record<string, JsonObject> = {
    deployment: deploymentBody(),
    service: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { selector: labels, ports: [{ port: 80, targetPort: 'http' }] } },
    autoscaler: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 2, maxReplicas: 6 },
    },
    budget: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api' }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    config: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-config' }, data: { HTTP_PORT: '3000' } },
    denyAll: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    allowHttp: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-http' },
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'http' }] }] },
    },
  };
  edit(bodies);
  return Object.values(bodies).map((body) => asResource(body, 'fixture') as Resource);
}

const container = (bodies: Record<string, JsonObject>): JsonObject =>
  ((((bodies.deployment.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[])[0];

const allProblems = (set: Resource[]): string[] => [
  ...probeProblems(set),
  ...hardeningProblems(set),
  ...serviceProblems(set),
  ...scalingProblems(set, 6),
  ...networkPolicyProblems(set),
  ...containerSettings(set, set[0]).problems,
];

describe('deployment cross-checks', () => {
  it('finds nothing wrong with a consistent set of resources', () => {
    expect(allProblems(resources())).toEqual([]);
  });

  it('requires liveness on /health/live and readiness on /health, on a declared port', () => {
    const set = resources((bodies) => {
      container(bodies).livenessProbe = { httpGet: { path: '/health', port: 'http' } };
      container(bodies).readinessProbe = { httpGet: { path: '/health', port: 'metrics' } };
    });
    expect(probeProblems(set)).toEqual([
      'Deployment/api container api: livenessProbe must be GET /health/live (is /health)',
      'Deployment/api container api: readinessProbe port is not a port of the container',
    ]);
  });

  it('reports a Service whose selector matches no Deployment, or whose target port the pods lack', () => {
    const set = resources((bodies) => {
      bodies.service.spec = { selector: { 'app.kubernetes.io/name': 'apii' }, ports: [{ port: 80 }] };
      bodies.extra = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other' }, spec: { selector: labels, ports: [{ port: 80, targetPort: 'mllp' }] } };
    });
    expect(serviceProblems(set)).toEqual([
      'Service/api: its selector {"app.kubernetes.io/name":"apii"} matches no Deployment\'s pods',
      'Service/other: targetPort "mllp" is not a container port of Deployment/api',
    ]);
  });

  it('reports an autoscaler aimed at a missing Deployment or beyond the useful replica count, and a Deployment without one', () => {
    const set = resources((bodies) => {
      bodies.autoscaler.spec = { scaleTargetRef: { kind: 'Deployment', name: 'ap1' }, maxReplicas: 12 };
      delete bodies.budget;
    });
    expect(scalingProblems(set, 6)).toEqual([
      'HorizontalPodAutoscaler/api: targets Deployment/ap1, which is not a Deployment here',
      'HorizontalPodAutoscaler/api: maxReplicas 12 exceeds 6, the most partitions of any topic',
      'Deployment/api: has no HorizontalPodAutoscaler',
      'Deployment/api: has no PodDisruptionBudget',
    ]);
  });

  it('requires a non-root user, a read-only root filesystem and resource bounds', () => {
    const set = resources((bodies) => {
      container(bodies).securityContext = { readOnlyRootFilesystem: false };
      container(bodies).resources = { requests: { cpu: '100m', memory: '128Mi' } };
      (((bodies.deployment.spec as JsonObject).template as JsonObject).spec as JsonObject).securityContext = { runAsUser: 0 };
    });
    expect(hardeningProblems(set)).toEqual([
      'Deployment/api: the pod must set runAsNonRoot and a non-zero numeric runAsUser',
      'Deployment/api container api: needs readOnlyRootFilesystem: true and allowPrivilegeEscalation: false',
      'Deployment/api container api: resources.limits.cpu is not set',
      'Deployment/api container api: resources.limits.memory is not set',
    ]);
  });

  it('reads settings from ConfigMaps and secret files, and refuses literal values and files outside secret mounts', () => {
    expect(containerSettings(resources(), resources()[0]).settings).toEqual(['DATABASE_URL', 'HTTP_PORT']);
    const set = resources((bodies) => {
      container(bodies).env = [
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'REDIS_URL_FILE', value: '/etc/redis-url' },
      ];
      container(bodies).envFrom = [{ configMapRef: { name: 'missing' } }];
    });
    expect(containerSettings(set, set[0]).problems).toEqual([
      'Deployment/api container api: envFrom names ConfigMap missing, which does not exist',
      'Deployment/api container api: env LOG_LEVEL should come from a ConfigMap (only <SETTING>_FILE belongs in env)',
      'Deployment/api container api: REDIS_URL_FILE=/etc/redis-url is not inside a mounted secret volume',
    ]);
  });

  it('requires a default-deny policy and named ports that the selected pods declare', () => {
    const set = resources((bodies) => {
      delete bodies.denyAll;
      bodies.allowHttp.spec = { podSelector: { matchLabels: labels }, ingress: [{ ports: [{ port: 'mllp' }] }] };
    });
    expect(networkPolicyProblems(set)).toEqual([
      'no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)',
      'NetworkPolicy/allow-http: allows port "mllp", which not every selected pod declares',
    ]);
  });

  it('compares the settings of a compose service with its Deployment', () => {
    const compose: Json = { services: { api: { environment: { HTTP_PORT: 3000, DATABASE_URL: 'postgres://db/api', LOG_LEVEL: 'info' } } } };
    expect(composeParityProblems(compose, resources(), ['api'])).toEqual(['api: only in docker-compose.yml [LOG_LEVEL], only in Kubernetes []']);
    expect(composeParityProblems({ services: { api: { environment: ['HTTP_PORT=3000', 'DATABASE_URL=x'] } } }, resources(), ['api', 'web'])).toEqual(['web: no Deployment']);
  });

  it('evaluates matchLabels and matchExpressions as Kubernetes does; an empty selector selects every pod', () => {
    const pod = { 'app.kubernetes.io/name': 'api', tier: 'web' };
    expect(labelSelectorMatches({}, pod)).toBe(true);
    expect(labelSelectorMatches({ matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api', 'web'] }] }, pod)).toBe(true);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['api'] }] }, pod)).toBe(false);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 'zone', operator: 'DoesNotExist' }] }, pod)).toBe(true);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, pod)).toBe(false);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }] }, pod)).toBe(false);
  });

  describe('a backing server the code uses (Redis)', () => {
    const redis: BackingService = { name: 'Redis', setting: 'REDIS_URL', port: 6379 };
    const withRedis = (bodies: Record<string, JsonObject>): void => {
      (container(bodies).env as JsonObject[]).push({ name: 'REDIS_URL_FILE', value: '/run/secrets/sc/redis-url' });
      bodies.allowRedis = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-redis' },
        spec: {
          podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api'] }] },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '192.0.2.20/32' } }], ports: [{ port: 6379, protocol: 'TCP' }] }],
        },
      };
    };

    it('accepts a user with a URL and egress to the port, and a non-user with neither', () => {
      expect(backingServiceProblems(resources(withRedis), redis, { api: true })).toEqual([]);
      expect(backingServiceProblems(resources(), redis, { api: false })).toEqual([]);
    });

    it('reports a user without the URL setting or without egress to the port', () => {
      expect(backingServiceProblems(resources(), redis, { api: true, web: true })).toEqual([
        'api: uses Redis but gets no REDIS_URL (ConfigMap or REDIS_URL_FILE), so it would use the default',
        'api: uses Redis but no NetworkPolicy allows its pods egress to port 6379',
        'web: no Deployment',
      ]);
      const elsewhere = resources((bodies) => {
        withRedis(bodies);
        ((bodies.allowRedis.spec as JsonObject).podSelector as JsonObject).matchExpressions = [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['web'] }];
      });
      expect(backingServiceProblems(elsewhere, redis, { api: true })).toEqual(['api: uses Redis but no NetworkPolicy allows its pods egress to port 6379']);
      const ingressOnly = resources((bodies) => {
        withRedis(bodies);
        (bodies.allowRedis.spec as JsonObject).policyTypes = ['Ingress'];
      });
      expect(backingServiceProblems(ingressOnly, redis, { api: true })).toEqual(['api: uses Redis but no NetworkPolicy allows its pods egress to port 6379']);
    });

    it('counts a port range and a rule without ports as egress to the port', () => {
      const range = resources((bodies) => {
        withRedis(bodies);
        (bodies.allowRedis.spec as JsonObject).egress = [{ ports: [{ port: 6000, endPort: 7000 }] }];
      });
      const anyPort = resources((bodies) => {
        withRedis(bodies);
        (bodies.allowRedis.spec as JsonObject).egress = [{ to: [{ ipBlock: { cidr: '192.0.2.20/32' } }] }];
      });
      expect([...backingServiceProblems(range, redis, { api: true }), ...backingServiceProblems(anyPort, redis, { api: true })]).toEqual([]);
    });

    it('reports a service given the URL or egress to the port although it does not use the server', () => {
      expect(backingServiceProblems(resources(withRedis), redis, { api: false })).toEqual([
        'api: gets REDIS_URL but does not use Redis',
        'api: NetworkPolicy/allow-redis allows egress to port 6379 but it does not use Redis',
      ]);
    });

    it('requires a compose user to set the URL to a compose service it depends on', () => {
      const compose = (api: JsonObject): Json => ({ services: { redis: { image: 'redis:7' }, api } });
      expect(composeBackingServiceProblems(compose({ environment: { REDIS_URL: 'redis://redis:6379' }, depends_on: ['redis'] }), redis, { api: true })).toEqual([]);
      expect(composeBackingServiceProblems(compose({ environment: ['REDIS_URL=redis://redis:6379'], depends_on: { redis: { condition: 'service_healthy' } } }), redis, { api: true })).toEqual([]);
      expect(composeBackingServiceProblems(compose({ environment: { REDIS_URL: 'redis://redis:6379' } }), redis, { api: true })).toEqual([
        'docker-compose.yml api: uses Redis at redis but does not depend on it (depends_on)',
      ]);
      expect(composeBackingServiceProblems(compose({ environment: { REDIS_URL: 'redis://cache:6379' }, depends_on: ['redis'] }), redis, { api: true })).toEqual([
        'docker-compose.yml api: REDIS_URL names host cache, which is not a compose service',
      ]);
      expect(composeBackingServiceProblems(compose({ environment: {} }), redis, { api: true })).toEqual(['docker-compose.yml api: uses Redis but sets no REDIS_URL']);
      expect(composeBackingServiceProblems(compose({ environment: { REDIS_URL: 'redis://redis:6379' } }), redis, { api: false })).toEqual([
        'docker-compose.yml api: sets REDIS_URL but does not use Redis',
      ]);
    });
  });

  it('lists the keys each mounted Secret must hold', () => {
    const set = resources((bodies) => (container(bodies).env as JsonObject[]).push({ name: 'REDIS_URL_FILE', value: '/run/secrets/sc/redis-url' }));
    expect(secretKeysRead(set)).toEqual({ 'api-secrets': ['database-url', 'redis-url'] });
  });
});
