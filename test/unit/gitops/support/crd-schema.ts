// A small validator for the structural OpenAPI v3 schema of a CRD: enough to tell whether an
// example or fixture would be admitted by the API server with `kubectl apply` (field
// validation Strict, kubectl's default), without a cluster.
//
// Covered: type (object, array, string, integer, number, boolean), required, properties,
// unknown fields (rejected, as Strict field validation does), additionalProperties, enum,
// minimum/maximum, minLength/maxLength, pattern, maxItems/minItems, maxProperties, format
// date-time, and x-kubernetes-list-type map keys being unique. An object schema with neither
// properties nor additionalProperties (metadata) accepts anything, as in Kubernetes.
// Not covered: x-kubernetes-validations (CEL rules); their intent is checked by the tests that
// need it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  maxProperties?: number;
  format?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
}

/** The openAPIV3Schema of the (single) served version of the CRD file at `path`. */
export function loadCrdSchema(path: string): SchemaNode {
  const crd = parse(readFileSync(path, 'utf8')) as {
    spec: { versions: { name: string; served: boolean; schema: { openAPIV3Schema: SchemaNode } }[] };
  };
  const served = crd.spec.versions.filter((v) => v.served);
  if (served.length !== 1) throw new Error(`expected one served version, found ${served.length}`);
  return served[0]!.schema.openAPIV3Schema;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every way `value` violates `schema`, as `path: problem` lines; empty when it is valid. */
export function validateAgainstSchema(schema: SchemaNode, value: unknown, path = ''): string[] {
  const at = path || '<root>';
  const problems: string[] = [];
  const fail = (problem: string) => problems.push(`${at}: ${problem}`);

  if (value === null || value === undefined) {
    fail('must not be null');
    return problems;
  }
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object`];
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) {
        if (!(key in record)) fail(`required field "${key}" is missing`);
      }
      if (schema.maxProperties !== undefined && Object.keys(record).length > schema.maxProperties) {
        fail(`more than ${schema.maxProperties} properties`);
      }
      const open = !schema.properties && schema.additionalProperties === undefined;
      for (const [key, inner] of Object.entries(record)) {
        const child = `${path}.${key}`;
        const known = schema.properties?.[key];
        if (known) problems.push(...validateAgainstSchema(known, inner, child));
        else if (typeof schema.additionalProperties === 'object') {
          problems.push(...validateAgainstSchema(schema.additionalProperties, inner, child));
        } else if (!open && schema.additionalProperties !== true) fail(`unknown field "${key}"`);
      }
      break;
    }
    case 'array': {
      if (!Array.isArray(value)) return [`${at}: expected an array`];
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        fail(`more than ${schema.maxItems} items`);
      if (schema.minItems !== undefined && value.length < schema.minItems)
        fail(`fewer than ${schema.minItems} items`);
      value.forEach((item, index) => {
        if (schema.items) problems.push(...validateAgainstSchema(schema.items, item, `${path}[${index}]`));
      });
      if (schema['x-kubernetes-list-type'] === 'map') {
        const keys = schema['x-kubernetes-list-map-keys'] ?? [];
        const seen = new Set<string>();
        for (const item of value as Record<string, unknown>[]) {
          const identity = JSON.stringify(keys.map((k) => item?.[k]));
          if (seen.has(identity)) fail(`duplicate entry for list-map key(s) ${keys.join(', ')}: ${identity}`);
          seen.add(identity);
        }
      }
      break;
    }
    case 'string': {
      if (typeof value !== 'string') return [`${at}: expected a string`];
      if (schema.minLength !== undefined && value.length < schema.minLength)
        fail(`shorter than ${schema.minLength}`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        fail(`longer than ${schema.maxLength}`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
        fail(`"${value}" does not match ${schema.pattern}`);
      }
      if (schema.format === 'date-time' && !RFC3339.test(value))
        fail(`"${value}" is not an RFC 3339 date-time`);
      break;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) {
        return [`${at}: expected ${schema.type === 'integer' ? 'an integer' : 'a number'}`];
      }
      if (schema.minimum !== undefined && value < schema.minimum) fail(`less than ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) fail(`greater than ${schema.maximum}`);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return [`${at}: expected a boolean`];
      break;
    default:
      break;
  }
  if (schema.enum && !schema.enum.includes(value))
    fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  return problems;
}
