import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A Kubernetes object as read from a manifest, with where it came from (for messages). */
export interface Resource {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  body: JsonObject;
  source: string;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[a][b]…`, or undefined when a step is missing or not an object / array. */
export function at(value: Json | undefined, ...steps: Array<string | number>): Json | undefined {
  let current = value;
  for (const step of steps) {
    if (typeof step === 'number' ? !Array.isArray(current) : !isObject(current)) {
      return undefined;
    }
    current = typeof step === 'number' ? (current as Json[])[step] : (current as JsonObject)[step];
  }
  return current;
}

export function stringAt(value: Json | undefined, ...steps: Array<string | number>): string | undefined {
  const found = at(value, ...steps);
  return typeof found === 'string' ? found : undefined;
}

export function arrayAt(value: Json | undefined, ...steps: Array<string | number>): Json[] {
  const found = at(value, ...steps);
  return Array.isArray(found) ? found : [];
}

export function recordAt(value: Json | undefined, ...steps: Array<string | number>): JsonObject {
  const found = at(value, ...steps);
  return isObject(found) ? found : {};
}

/**
 * Every document of a YAML file as plain data. YAML merge keys (`<<:`) are resolved, as Docker
 * Compose does; syntax errors are returned, never thrown, so one report names them all.
 */
export function readYamlDocuments(file: string): { documents: Json[]; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { documents: [], problems: [`${file}: cannot be read`] };
  }
  const documents: Json[] = [];
  const problems: string[] = [];
  parseAllDocuments(text, { merge: true }).forEach((document, index) => {
    if (document.errors.length > 0) {
      problems.push(...document.errors.map((error) => `${file} document ${index + 1}: ${error.message}`));
      return;
    }
    const value = document.toJS() as Json;
    if (value !== null) {
      documents.push(value);
    }
  });
  return { documents, problems };
}

/** A parsed document as a Resource, or the reason it is not one. */
export function asResource(document: Json, source: string): Resource | string {
  const apiVersion = stringAt(document, 'apiVersion');
  const kind = stringAt(document, 'kind');
  const name = stringAt(document, 'metadata', 'name');
  if (!isObject(document) || apiVersion === undefined || kind === undefined || name === undefined) {
    return `${source}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`;
  }
  return { apiVersion, kind, name, namespace: stringAt(document, 'metadata', 'namespace'), body: document, source };
}

export const describeResource = (resource: Pick<Resource, 'kind' | 'name'>): string => `${resource.kind}/${resource.name}`;
