/**
 * Works around a product bug for tests that run the whole workflow under jest (see
 * jest-realm.test.ts): lowerDistributedMaps copies the definition with structuredClone, which in
 * jest's sandbox returns objects of the outer realm; aws-local-stepfunctions' isPlainObj
 * (`Object.getPrototypeOf(value) === Object.prototype`) then fails for them and every nested
 * Parameters template (the Lambda `Payload`) is passed on unresolved. A JSON round trip gives objects of
 * this realm, and the definition is JSON anyway. Only this test file's sandbox global is changed.
 */
export function cloneDefinitionsInThisRealm(): void {
  globalThis.structuredClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
}
