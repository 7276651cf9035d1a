import vm from 'node:vm';
import { describeResource, type JsonObject, type Resource } from './manifests';

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: JsonObject) => ValidatingModel;

/** Third-party API groups with published models; the built-in groups come from kubernetes-models. */
const THIRD_PARTY_MODELS: Record<string, string> = {
  'kafka.strimzi.io': '@kubernetes-models/strimzi-kafka-operator',
};

let importEsm: ((specifier: string) => Promise<unknown>) | undefined;

/**
 * kubernetes-models ships ES modules whose package exports offer only an "import" condition, so
 * neither this CommonJS build nor jest's module registry can require them: load them through
 * Node's own ESM loader instead.
 */
function esmImporter(): (specifier: string) => Promise<unknown> {
  importEsm ??= new vm.Script('(specifier) => import(specifier)', {
    filename: __filename,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  }).runInThisContext() as (specifier: string) => Promise<unknown>;
  return importEsm;
}

/** The module holding the model of an apiVersion and kind, e.g. kubernetes-models/apps/v1/Deployment. */
export function modelModuleOf(apiVersion: string, kind: string): string | undefined {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind) || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
    return undefined;
  }
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  if (group === '' || !group.includes('.') || group.endsWith('.k8s.io')) {
    return `kubernetes-models/${apiVersion}/${kind}`;
  }
  const thirdParty = THIRD_PARTY_MODELS[group];
  return thirdParty === undefined ? undefined : `${thirdParty}/${apiVersion}/${kind}`;
}

async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const specifier = modelModuleOf(apiVersion, kind);
  if (specifier === undefined) {
    return undefined;
  }
  try {
    const module = (await esmImporter()(specifier)) as Record<string, unknown>;
    const exported = module[kind];
    return typeof exported === 'function' ? (exported as ModelClass) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates every resource against the OpenAPI schema of its kind (kubernetes-models; Strimzi's
 * CRD schemas for KafkaTopic). A kind without a known schema is a problem too, so nothing passes
 * unvalidated.
 */
export async function schemaProblems(resources: readonly Resource[]): Promise<string[]> {
  const problems: string[] = [];
  for (const resource of resources) {
    const Model = await modelClass(resource.apiVersion, resource.kind);
    if (Model === undefined) {
      problems.push(`${resource.source} ${describeResource(resource)}: no schema for ${resource.apiVersion} ${resource.kind}`);
      continue;
    }
    try {
      new Model(resource.body).validate();
    } catch (error) {
      problems.push(`${resource.source} ${describeResource(resource)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}
