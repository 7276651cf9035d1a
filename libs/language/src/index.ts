export * from './language';
export { rewriteStoredLanguages } from './stored-languages';
