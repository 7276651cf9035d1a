import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Type } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { TOPIC_CATALOGUE } from '@sc/contracts';
import { loadConfig } from '@sc/config';
import { REDIS } from '@sc/platform';
import { SERVICES, type ServiceName } from '@sc/testing';
import { adtIngestModule } from '../../../apps/adt-ingest/src/app.module';
import { AdtIngestConfig } from '../../../apps/adt-ingest/src/config';
import { careGapModule } from '../../../apps/care-gap/src/app.module';
import { CareGapConfig } from '../../../apps/care-gap/src/config';
import { notifierModule } from '../../../apps/notifier/src/app.module';
import { NotifierConfig } from '../../../apps/notifier/src/config';
import { pharmacyAlertModule } from '../../../apps/pharmacy-alert/src/app.module';
import { PharmacyAlertConfig } from '../../../apps/pharmacy-alert/src/config';
import { referralModule } from '../../../apps/referral/src/app.module';
import { ReferralConfig } from '../../../apps/referral/src/config';
import { RATE_LIMIT_REDIS } from '@sc/security';
import { composeSchemaProblems } from '../../../tools/deploy/compose';
import {
  backingServiceProblems,
  composeBackingServiceProblems,
  composeParityProblems,
  containerSettings,
  hardeningProblems,
  mountedSecrets,
  networkPolicyProblems,
  probeProblems,
  scalingProblems,
  secretKeysRead,
  serviceProblems,
  type BackingService,
} from '../../../tools/deploy/cross-checks';
import { KAFKA_TOPICS_FILE, renderKafkaTopicsYaml } from '../../../tools/deploy/kafka-topics';
import { kustomizationFileIn, renderKustomization } from '../../../tools/deploy/kustomize';
import { arrayAt, asResource, readYamlDocuments, stringAt, type Json, type JsonObject, type Resource } from '../../../tools/deploy/manifests';
import { providerTokens } from '../../../tools/deploy/nest-modules';
import { schemaProblems } from '../../../tools/deploy/resource-schemas';

const root = path.resolve(__dirname, '../../..');
const k8s = path.join(root, 'deploy', 'k8s');
const base = path.join(k8s, 'base');
const production = path.join(k8s, 'overlays', 'production');

const CONFIG_CLASSES: Record<ServiceName, ClassConstructor<object>> = {
  'adt-ingest': AdtIngestConfig,
  'pharmacy-alert': PharmacyAlertConfig,
  'care-gap': CareGapConfig,
  referral: ReferralConfig,
  notifier: NotifierConfig,
};

/** Each service's root Nest module, built from its configuration as main.ts builds it. */
const APP_MODULES: Record<ServiceName, (config: Record<string, unknown>) => Type> = {
  'adt-ingest': (config) => adtIngestModule(config as unknown as AdtIngestConfig),
  'pharmacy-alert': (config) => pharmacyAlertModule(config as unknown as PharmacyAlertConfig),
  'care-gap': (config) => careGapModule(config as unknown as CareGapConfig),
  referral: (config) => referralModule(config as unknown as ReferralConfig),
  notifier: (config) => notifierModule(config as unknown as NotifierConfig),
};

/**
 * The providers that open a Redis connection: the platform's client (PlatformOptions.redis: pub/sub,
 * readiness) and the rate limiter's (every SecurityModule; it connects at boot and on each request).
 */
const REDIS_CLIENTS: readonly unknown[] = [REDIS, RATE_LIMIT_REDIS];

/** Stand-ins for the mounted secret files, shaped as the real ones must be. */
const SECRET_PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: 'postgres://service:secret@db.example:5432/sc_service',
  REDIS_URL: 'redis://:secret@redis.example:6379',
  PATIENT_REF_KEY: 'a-placeholder-patient-reference-key-of-enough-length',
  // 32 bytes in base64, as `openssl rand -base64 32` writes it; not the development key.
  NOTIFIER_SECRET_KEY: Buffer.alloc(32, 0x5c).toString('base64'),
};

/** Redis as the Deployments reach it: the URL from a mounted secret, on the port such a URL names. */
const REDIS_SERVER: BackingService = { name: 'Redis', setting: 'REDIS_URL', port: Number(new URL(SECRET_PLACEHOLDERS.REDIS_URL).port) };

/**
 * Loads a service's configuration as its container would: NODE_ENV=production in the process as
 * well, because some class defaults read it (AUTH_JWT_SECRET has none in production).
 */
function loadAsInProduction(type: ClassConstructor<object>, env: Record<string, string>): Record<string, unknown> {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return loadConfig(type, { ...env, NODE_ENV: 'production' }) as Record<string, unknown>;
  } finally {
    process.env.NODE_ENV = previous;
  }
}

/** What a Deployment's container gets: its ConfigMaps' data, and a stand-in for every mounted secret file. */
function productionEnvironment(resources: readonly Resource[], deployment: Resource): { env: Record<string, string>; unknownSecrets: string[] } {
  const { settings } = containerSettings(resources, deployment);
  const configMapNames = arrayAt(deployment.body, 'spec', 'template', 'spec', 'containers', 0, 'envFrom').map((source) => stringAt(source, 'configMapRef', 'name'));
  const configMapData = resources
    .filter((resource) => resource.kind === 'ConfigMap' && configMapNames.includes(resource.name))
    .reduce<Record<string, string>>((env, configMap) => ({ ...env, ...(configMap.body.data as Record<string, string>) }), {});
  const secretSettings = settings.filter((setting) => !(setting in configMapData));
  const secrets = Object.fromEntries(secretSettings.filter((setting) => setting in SECRET_PLACEHOLDERS).map((setting) => [setting, SECRET_PLACEHOLDERS[setting]]));
  return { env: { ...configMapData, ...secrets }, unknownSecrets: secretSettings.filter((setting) => !(setting in SECRET_PLACEHOLDERS)) };
}

const deploymentOf = (resources: readonly Resource[], service: string): Resource =>
  resources.find((resource) => resource.kind === 'Deployment' && resource.name === service) as Resource;

/** A service's root module built from its production configuration (nothing is instantiated). */
function productionModule(resources: readonly Resource[], service: ServiceName): Type {
  return APP_MODULES[service](loadAsInProduction(CONFIG_CLASSES[service], productionEnvironment(resources, deploymentOf(resources, service)).env));
}

/** Whether a service opens Redis, judged from the providers of its module graph (built, never run). */
function redisUsage(resources: readonly Resource[]): Record<ServiceName, boolean> {
  const entries = SERVICES.map((service) => {
    const tokens = providerTokens(productionModule(resources, service));
    return [service, REDIS_CLIENTS.some((token) => tokens.has(token))] as const;
  });
  return Object.fromEntries(entries) as Record<ServiceName, boolean>;
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? yamlFilesUnder(full) : /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

function declaredSettings(type: ClassConstructor<object>): Set<string> {
  return new Set(getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).map((metadata) => metadata.propertyName));
}

const readCompose = (): Json => {
  const { documents, problems } = readYamlDocuments(path.join(root, 'docker-compose.yml'));
  expect(problems).toEqual([]);
  return documents[0];
};

describe('deployment manifests (deploy/k8s) and docker-compose.yml', () => {
  const files = yamlFilesUnder(k8s);
  const isKustomization = (file: string): boolean => kustomizationFileIn(path.dirname(file)) === file;
  let renderedBase: Resource[];
  let usesRedis: Record<ServiceName, boolean>;

  beforeAll(() => {
    const rendering = renderKustomization(base);
    expect(rendering.problems).toEqual([]);
    renderedBase = rendering.resources;
    usesRedis = redisUsage(renderedBase);
  });

  const containerOf = (resources: readonly Resource[], service: string): JsonObject =>
    arrayAt(deploymentOf(resources, service).body, 'spec', 'template', 'spec', 'containers')[0] as JsonObject;

  it('parses every YAML document under deploy/k8s as a Kubernetes object or a Kustomization', () => {
    const problems: string[] = [];
    let resources = 0;
    for (const file of files) {
      const loaded = readYamlDocuments(file);
      problems.push(...loaded.problems);
      for (const document of isKustomization(file) ? [] : loaded.documents) {
        const resource = asResource(document, path.relative(root, file));
        if (typeof resource === 'string') {
          problems.push(resource);
        } else {
          resources += 1;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(resources).toBeGreaterThan(30);
  });

  it('validates every resource file against the schema of its kind', async () => {
    const resources = files
      .filter((file) => !isKustomization(file))
      .flatMap((file) => readYamlDocuments(file).documents.map((document) => asResource(document, path.relative(root, file))))
      .filter((resource): resource is Resource => typeof resource !== 'string');
    expect(await schemaProblems(resources)).toEqual([]);
    expect(new Set(resources.map((resource) => resource.kind))).toEqual(
      new Set(['ConfigMap', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'KafkaTopic', 'Namespace']),
    );
  });

  it('rejects resources that break their schema, so the validation above is not vacuous', async () => {
    const deployment = structuredClone(renderedBase.find((resource) => resource.kind === 'Deployment') as Resource);
    (deployment.body.spec as JsonObject).replicas = 'three';
    const topic = structuredClone(renderedBase.find((resource) => resource.kind === 'KafkaTopic') as Resource);
    (topic.body.spec as JsonObject).partitions = 'six';
    const unknown: Resource = { ...topic, apiVersion: 'example.com/v1', kind: 'Widget' };

    const problems = await schemaProblems([deployment, topic, unknown]);

    expect(problems).toEqual([
      expect.stringMatching(/Deployment\/adt-ingest: .*replicas must be integer/),
      expect.stringMatching(/KafkaTopic\/care-encounters-v1: .*partitions must be integer/),
      expect.stringMatching(/Widget\/care-encounters-v1: no schema for example.com\/v1 Widget/),
    ]);
  });

  it('renders the production overlay: every referenced resource and patch target exists and the result is valid', async () => {
    const { resources, problems } = renderKustomization(production);
    expect(problems).toEqual([]);
    expect(await schemaProblems(resources)).toEqual([]);
    expect(resources.filter((resource) => resource.kind !== 'Namespace').every((resource) => resource.namespace === 'synchronized-care')).toBe(true);
    const images = resources.flatMap((resource) =>
      resource.kind === 'Deployment' ? [stringAt(resource.body, 'spec', 'template', 'spec', 'containers', 0, 'image')] : [],
    );
    expect(images.sort()).toEqual(SERVICES.map((service) => `registry.hospital.example/synchronized-care/${service}:0.1.0`).sort());
    expect(await schemaProblems(renderedBase)).toEqual([]);
  });

  it('keeps kafka-topics.yaml identical to what the topic catalogue generates', () => {
    expect(readFileSync(path.join(root, KAFKA_TOPICS_FILE), 'utf8')).toBe(renderKafkaTopicsYaml());
  });

  it('runs each service as a hardened Deployment with health probes, a Service, an autoscaler and a disruption budget', () => {
    const deployments = renderedBase.filter((resource) => resource.kind === 'Deployment').map((resource) => resource.name);
    expect(deployments.sort()).toEqual([...SERVICES].sort());
    const maxPartitions = Math.max(...Object.values(TOPIC_CATALOGUE).map((topic) => topic.partitions));
    expect([
      ...probeProblems(renderedBase),
      ...hardeningProblems(renderedBase),
      ...serviceProblems(renderedBase),
      ...scalingProblems(renderedBase, maxPartitions),
      ...networkPolicyProblems(renderedBase),
    ]).toEqual([]);
  });

  it('gives each service only settings its configuration class declares, and every mounted secret a stand-in here', () => {
    for (const service of SERVICES) {
      const deployment = renderedBase.find((resource) => resource.kind === 'Deployment' && resource.name === service) as Resource;
      const { settings, problems } = containerSettings(renderedBase, deployment);
      expect({ service, problems }).toEqual({ service, problems: [] });
      const declared = declaredSettings(CONFIG_CLASSES[service]);
      expect({ service, undeclared: settings.filter((setting) => !declared.has(setting)) }).toEqual({ service, undeclared: [] });
      const { env, unknownSecrets } = productionEnvironment(renderedBase, deployment);
      expect({ service, unknownSecrets }).toEqual({ service, unknownSecrets: [] });
      expect(env.NODE_ENV).toBe('production');
    }
  });

  it('gives each service every setting it needs to start in production', () => {
    const refusals = SERVICES.flatMap((service) => {
      const deployment = renderedBase.find((resource) => resource.kind === 'Deployment' && resource.name === service) as Resource;
      try {
        const config = loadAsInProduction(CONFIG_CLASSES[service], productionEnvironment(renderedBase, deployment).env);
        // Every service verifies bearer tokens; without a JWKS URL or a public key its verifier
        // refuses to start in production (the development secret is not available there).
        return config.AUTH_JWKS_URL || config.AUTH_JWT_PUBLIC_KEY ? [] : [`${service}: neither AUTH_JWKS_URL nor AUTH_JWT_PUBLIC_KEY is set`];
      } catch (error) {
        return [`${service}: ${(error as Error).message}`];
      }
    });
    expect(refusals).toEqual([]);
  });

  it('fails the production check when the notifier key is not mounted, so the check above is not vacuous', () => {
    const resources = structuredClone(renderedBase);
    const notifier = resources.find((resource) => resource.kind === 'Deployment' && resource.name === 'notifier') as Resource;
    const container = arrayAt(notifier.body, 'spec', 'template', 'spec', 'containers')[0] as JsonObject;
    const env = container.env as JsonObject[];
    expect(env.some((variable) => variable.name === 'NOTIFIER_SECRET_KEY_FILE')).toBe(true);
    container.env = env.filter((variable) => variable.name !== 'NOTIFIER_SECRET_KEY_FILE');

    expect(() => loadAsInProduction(NotifierConfig, productionEnvironment(resources, notifier).env)).toThrow(/NOTIFIER_SECRET_KEY fails notDevelopmentKeyInProduction/);
  });

  it('documents every Secret the Deployments mount', () => {
    const readme = readFileSync(path.join(k8s, 'README.md'), 'utf8');
    const secrets = mountedSecrets(renderedBase);
    expect(secrets).toHaveLength(SERVICES.length);
    expect(secrets.filter((secret) => !readme.includes(`\`${secret}\``))).toEqual([]);
  });

  it('documents the keys of each Secret as the Deployments read them', () => {
    const readme = readFileSync(path.join(k8s, 'README.md'), 'utf8');
    const documented = Object.fromEntries(
      [...readme.matchAll(/^\| `([a-z0-9-]+-secrets)` \| (.+) \|$/gm)].map(([, secret, keys]) => [secret, [...keys.matchAll(/`([a-z0-9-]+)`/g)].map(([, key]) => key).sort()]),
    );
    expect(documented).toEqual(secretKeysRead(renderedBase));
  });

  it('finds the Redis clients in the services\' module graphs, so the Redis checks below follow the code', () => {
    // Every service that imports SecurityModule holds the rate limiter's client; the notifier also
    // asks the platform for one (live streams). Each token is found somewhere, so none is stale.
    const tokens = SERVICES.map((service) => providerTokens(productionModule(renderedBase, service)));
    expect(REDIS_CLIENTS.filter((client) => !tokens.some((provided) => provided.has(client)))).toEqual([]);
  });

  it('gives every service that opens Redis a Redis URL and egress to Redis (and the others neither), in the base, the production overlay and docker-compose.yml', () => {
    const overlay = renderKustomization(production);
    expect(overlay.problems).toEqual([]);
    expect({
      base: backingServiceProblems(renderedBase, REDIS_SERVER, usesRedis),
      production: backingServiceProblems(overlay.resources, REDIS_SERVER, usesRedis),
      compose: composeBackingServiceProblems(readCompose(), REDIS_SERVER, usesRedis),
    }).toEqual({ base: [], production: [], compose: [] });
  });

  it('fails the Redis check for a service whose Redis URL or egress is taken away, so the check above is not vacuous', () => {
    const service = SERVICES.find((candidate) => usesRedis[candidate]) as ServiceName;
    const resources = structuredClone(renderedBase);
    const container = containerOf(resources, service);
    const env = container.env as JsonObject[];
    expect(env.some((variable) => variable.name === 'REDIS_URL_FILE')).toBe(true);
    container.env = env.filter((variable) => variable.name !== 'REDIS_URL_FILE');

    expect(backingServiceProblems(resources, REDIS_SERVER, usesRedis)).toEqual([
      `${service}: uses Redis but gets no REDIS_URL (ConfigMap or REDIS_URL_FILE), so it would use the default`,
    ]);
    // ...which is what the service would then try in production.
    expect(loadAsInProduction(CONFIG_CLASSES[service], productionEnvironment(resources, deploymentOf(resources, service)).env).REDIS_URL).toBe('redis://127.0.0.1:6379');

    const policy = resources.find((resource) => resource.kind === 'NetworkPolicy' && resource.name === 'allow-redis-egress') as Resource;
    const expression = arrayAt(policy.body, 'spec', 'podSelector', 'matchExpressions')[0] as JsonObject;
    expression.values = (expression.values as string[]).filter((name) => name !== service);
    expect(backingServiceProblems(resources, REDIS_SERVER, usesRedis)).toContain(`${service}: uses Redis but no NetworkPolicy allows its pods egress to port 6379`);

    const compose = structuredClone(readCompose()) as JsonObject;
    delete (((compose.services as JsonObject)[service] as JsonObject).environment as JsonObject).REDIS_URL;
    expect(composeBackingServiceProblems(compose, REDIS_SERVER, usesRedis)).toEqual([`docker-compose.yml ${service}: uses Redis but sets no REDIS_URL`]);
  });

  it('validates docker-compose.yml against the compose specification', () => {
    const compose = readCompose();
    expect(composeSchemaProblems(compose)).toEqual([]);

    const broken = structuredClone(compose) as JsonObject;
    ((broken.services as JsonObject)['adt-ingest'] as JsonObject).restart = { always: true };
    ((broken.services as JsonObject).postgres as JsonObject).healthcheck = { interval: 'five seconds' };
    expect(composeSchemaProblems(broken).sort()).toEqual([
      'docker-compose.yml /services/adt-ingest/restart: must be string',
      'docker-compose.yml /services/postgres/healthcheck/interval: must match format "duration"',
    ]);
  });

  it('gives each compose service the same settings as its Kubernetes Deployment', () => {
    expect(composeParityProblems(readCompose(), renderedBase, SERVICES)).toEqual([]);
  });

  it('makes docker-compose.yml ask for the keys production refuses to default, instead of shipping one', () => {
    const services = (readCompose() as JsonObject).services as JsonObject;
    const environment = (service: string): Record<string, string> => (services[service] as JsonObject).environment as Record<string, string>;
    expect(environment('adt-ingest').PATIENT_REF_KEY).toMatch(/^\$\{PATIENT_REF_KEY:\?.+\}$/);
    expect(environment('notifier').NOTIFIER_SECRET_KEY).toMatch(/^\$\{NOTIFIER_SECRET_KEY:\?.+\}$/);
  });
});
