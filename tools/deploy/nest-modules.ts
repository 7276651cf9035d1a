import 'reflect-metadata';
import type { DynamicModule, ForwardReference, Provider, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';

type ModuleReference = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

const tokenOf = (provider: Provider): unknown => (typeof provider === 'function' ? provider : provider.provide);

function metadata<T>(type: Type, key: string): T[] {
  return (Reflect.getMetadata(key, type) as T[] | undefined) ?? [];
}

/**
 * The tokens of every provider in a Nest module and the modules it imports, read from the module
 * metadata without instantiating anything (no factory runs, no connection opens). What a service
 * connects to can then be judged from its providers, e.g. a Redis client token.
 */
export function providerTokens(root: Type | DynamicModule): Set<unknown> {
  const tokens = new Set<unknown>();
  const seen = new Set<unknown>();
  const visit = (reference: ModuleReference | undefined): void => {
    if (reference === undefined || seen.has(reference)) {
      return;
    }
    seen.add(reference);
    if (reference instanceof Promise) {
      throw new Error('an asynchronous module import cannot be inspected without running it');
    }
    if ('forwardRef' in reference) {
      visit(reference.forwardRef() as ModuleReference);
      return;
    }
    const type = typeof reference === 'function' ? reference : reference.module;
    const dynamic = typeof reference === 'function' ? undefined : reference;
    for (const provider of [...metadata<Provider>(type, MODULE_METADATA.PROVIDERS), ...(dynamic?.providers ?? [])]) {
      tokens.add(tokenOf(provider));
    }
    for (const imported of [...metadata<ModuleReference>(type, MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])]) {
      visit(imported);
    }
  };
  visit(root);
  return tokens;
}
