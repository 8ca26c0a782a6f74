/** asl-validator ships no types; this is the part the template tests call. */
declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: { message?: string; 'Error code'?: string; path?: string }[];
  }
  export default function validator(definition: unknown): AslValidationResult;
}
