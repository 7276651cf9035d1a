import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { arrayAt, asResource, describeResource, isObject, readYamlDocuments, recordAt, stringAt, type Json, type JsonObject, type Resource } from './manifests';

/**
 * The part of Kustomize these manifests use, so they can be rendered and checked where no
 * kustomize binary exists: `resources` (files and directories, recursively), `namespace`,
 * `images`, and `patches` written as JSON 6902 operations (add, replace, remove) with a
 * kind/name target. Any other field is reported rather than silently ignored.
 */
export interface Rendering {
  resources: Resource[];
  problems: string[];
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass']);

export function kustomizationFileIn(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => path.join(dir, name)).find((file) => existsSync(file));
}

export function renderKustomization(dir: string): Rendering {
  const file = kustomizationFileIn(dir);
  if (file === undefined) {
    return { resources: [], problems: [`${dir}: no kustomization.yaml`] };
  }
  const { documents, problems } = readYamlDocuments(file);
  const kustomization = documents[0];
  if (!isObject(kustomization)) {
    return { resources: [], problems: [...problems, `${file}: not a Kustomization`] };
  }
  problems.push(...Object.keys(kustomization).filter((field) => !SUPPORTED_FIELDS.has(field)).map((field) => `${file}: field "${field}" is not supported by this renderer`));

  const resources: Resource[] = [];
  for (const entry of arrayAt(kustomization, 'resources')) {
    if (typeof entry !== 'string') {
      problems.push(`${file}: resources entries must be paths`);
      continue;
    }
    const target = path.resolve(dir, entry);
    if (!existsSync(target)) {
      problems.push(`${file}: resource ${entry} does not exist`);
    } else if (statSync(target).isDirectory()) {
      const nested = renderKustomization(target);
      resources.push(...nested.resources);
      problems.push(...nested.problems);
    } else {
      const loaded = readYamlDocuments(target);
      problems.push(...loaded.problems);
      loaded.documents.forEach((document, index) => {
        const resource = asResource(document, `${path.relative(process.cwd(), target)}#${index + 1}`);
        if (typeof resource === 'string') {
          problems.push(resource);
        } else {
          resources.push(resource);
        }
      });
    }
  }

  problems.push(...applyPatches(file, dir, arrayAt(kustomization, 'patches'), resources));
  problems.push(...applyImages(file, arrayAt(kustomization, 'images'), resources));
  const namespace = stringAt(kustomization, 'namespace');
  const rendered = namespace === undefined ? resources : resources.map((resource) => withNamespace(resource, namespace));
  problems.push(...duplicates(rendered));
  return { resources: rendered, problems };
}

function withNamespace(resource: Resource, namespace: string): Resource {
  if (CLUSTER_SCOPED_KINDS.has(resource.kind)) {
    return resource;
  }
  const body = structuredClone(resource.body);
  recordAt(body, 'metadata').namespace = namespace;
  return { ...resource, namespace, body };
}

function duplicates(resources: Resource[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const resource of resources) {
    const id = `${resource.apiVersion.split('/')[0]}/${resource.kind}/${resource.namespace ?? ''}/${resource.name}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      problems.push(`${describeResource(resource)} is defined twice (${earlier} and ${resource.source})`);
    }
    seen.set(id, resource.source);
  }
  return problems;
}

function applyImages(file: string, images: Json[], resources: Resource[]): string[] {
  const problems: string[] = [];
  for (const image of images) {
    const name = stringAt(image, 'name');
    if (name === undefined) {
      problems.push(`${file}: an images entry has no name`);
      continue;
    }
    const newName = stringAt(image, 'newName') ?? name;
    const newTag = stringAt(image, 'newTag');
    const digest = stringAt(image, 'digest');
    let used = false;
    for (const container of resources.flatMap(containersOf)) {
      const current = stringAt(container, 'image') ?? '';
      const [repository, tag] = splitImage(current);
      if (repository !== name) {
        continue;
      }
      used = true;
      container.image = digest !== undefined ? `${newName}@${digest}` : newTag !== undefined ? `${newName}:${newTag}` : tag === undefined ? newName : `${newName}:${tag}`;
    }
    if (!used) {
      problems.push(`${file}: image ${name} is used by no container`);
    }
  }
  return problems;
}

function splitImage(image: string): [string, string | undefined] {
  const withoutDigest = image.split('@')[0];
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? [withoutDigest.slice(0, colon), withoutDigest.slice(colon + 1)] : [withoutDigest, undefined];
}

export function containersOf(resource: Resource): JsonObject[] {
  const podSpec = resource.kind === 'Pod' ? recordAt(resource.body, 'spec') : recordAt(resource.body, 'spec', 'template', 'spec');
  return [...arrayAt(podSpec, 'initContainers'), ...arrayAt(podSpec, 'containers')].filter(isObject);
}

function applyPatches(file: string, dir: string, patches: Json[], resources: Resource[]): string[] {
  const problems: string[] = [];
  patches.forEach((patch, index) => {
    const label = `${file}: patch ${index + 1}`;
    const kind = stringAt(patch, 'target', 'kind');
    const name = stringAt(patch, 'target', 'name');
    if (kind === undefined || name === undefined) {
      problems.push(`${label}: needs a target with kind and name`);
      return;
    }
    const operations = patchOperations(dir, patch);
    if (typeof operations === 'string') {
      problems.push(`${label}: ${operations}`);
      return;
    }
    const targets = resources.filter((resource) => resource.kind === kind && resource.name === name);
    if (targets.length === 0) {
      problems.push(`${label}: target ${kind}/${name} matches no resource`);
      return;
    }
    for (const target of targets) {
      for (const operation of operations) {
        const problem = applyOperation(target.body, operation);
        if (problem !== undefined) {
          problems.push(`${label} on ${kind}/${name}: ${problem}`);
        }
      }
    }
  });
  return problems;
}

interface Operation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value: Json | undefined;
}

function patchOperations(dir: string, patch: Json): Operation[] | string {
  const inline = stringAt(patch, 'patch');
  const file = stringAt(patch, 'path');
  let parsed: Json;
  if (inline !== undefined) {
    parsed = parse(inline) as Json;
  } else if (file !== undefined) {
    const loaded = readYamlDocuments(path.resolve(dir, file));
    if (loaded.problems.length > 0) {
      return loaded.problems.join('; ');
    }
    parsed = loaded.documents[0] ?? null;
  } else {
    return 'has neither patch nor path';
  }
  if (!Array.isArray(parsed)) {
    return 'only JSON 6902 patches (a list of operations) are supported';
  }
  const operations: Operation[] = [];
  for (const entry of parsed) {
    const op = stringAt(entry, 'op');
    const pointer = stringAt(entry, 'path');
    if ((op !== 'add' && op !== 'replace' && op !== 'remove') || pointer === undefined) {
      return `unsupported operation ${JSON.stringify(entry)}`;
    }
    operations.push({ op, path: pointer, value: isObject(entry) ? entry.value : undefined });
  }
  return operations;
}

function applyOperation(document: JsonObject, operation: Operation): string | undefined {
  const steps = operation.path
    .split('/')
    .slice(1)
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = steps.pop();
  if (last === undefined) {
    return `path "${operation.path}" names the whole document`;
  }
  let parent: Json = document;
  for (const step of steps) {
    const next: Json | undefined = Array.isArray(parent) ? parent[Number(step)] : isObject(parent) ? parent[step] : undefined;
    if (next === undefined) {
      return `path "${operation.path}" does not exist`;
    }
    parent = next;
  }
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length || (operation.op !== 'add' && index === parent.length)) {
      return `path "${operation.path}" does not exist`;
    }
    if (operation.op === 'remove') {
      parent.splice(index, 1);
    } else {
      parent.splice(index, operation.op === 'add' ? 0 : 1, operation.value ?? null);
    }
    return undefined;
  }
  if (!isObject(parent) || (operation.op !== 'add' && !(last in parent))) {
    return `path "${operation.path}" does not exist`;
  }
  if (operation.op === 'remove') {
    delete parent[last];
  } else {
    parent[last] = operation.value ?? null;
  }
  return undefined;
}
