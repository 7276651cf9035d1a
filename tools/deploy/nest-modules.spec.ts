import { Injectable, Module, forwardRef, type DynamicModule } from '@nestjs/common';
import { providerTokens } from './nest-modules';

const CLIENT = Symbol('CLIENT');
const OPTIONS = Symbol('OPTIONS');

@Injectable()
class Service {}

@Module({ providers: [{ provide: OPTIONS, useValue: {} }] })
class StaticModule {}

@Module({})
class ClientModule {
  static forRoot(): DynamicModule {
    return {
      module: ClientModule,
      imports: [StaticModule],
      providers: [
        {
          provide: CLIENT,
          useFactory: () => {
            throw new Error('a factory must not run');
          },
        },
      ],
    };
  }
}

@Module({ imports: [forwardRef(() => StaticModule)] })
class CyclicModule {}

describe(providerTokens.name, () => {
  it('collects the providers of a module and of the static, dynamic and forward-referenced modules it imports, running no factory', () => {
    @Module({ imports: [ClientModule.forRoot(), CyclicModule], providers: [Service] })
    class AppModule {}

    expect(providerTokens(AppModule)).toEqual(new Set([Service, CLIENT, OPTIONS]));
  });

  it('finds nothing a module does not provide', () => {
    expect(providerTokens(StaticModule).has(CLIENT)).toBe(false);
  });

  it('refuses an asynchronous import instead of guessing', () => {
    @Module({ imports: [Promise.resolve(ClientModule.forRoot())] })
    class AsyncModule {}

    expect(() => providerTokens(AsyncModule)).toThrow(/asynchronous module import/);
  });
});
