/** Reads the service name out of a SigV4 credential scope. Signatures are never verified locally. */

// SigV4 credential scope: "<access key>/<yyyymmdd>/<region>/<service>/aws4_request" (AWS SigV4 docs).
const CREDENTIAL_PATTERN = /Credential=([^,\s]+)/;

/** The scope's five parts from the Authorization header or a presigned URL, or undefined. */
function credentialScope(authorization: string | undefined, query: URLSearchParams): string[] | undefined {
  const credential =
    authorization?.match(CREDENTIAL_PATTERN)?.[1] ?? query.get('X-Amz-Credential') ?? undefined;
  // The access key id cannot contain '/', so a scope has exactly five parts.
  const parts = credential?.split('/');
  return parts?.length === 5 ? parts : undefined;
}

/** The `<service>` part of the scope from the Authorization header or a presigned URL, if any. */
export function credentialScopeService(
  authorization: string | undefined,
  query: URLSearchParams,
): string | undefined {
  return credentialScope(authorization, query)?.[3];
}

/** The `<region>` part of the scope from the Authorization header or a presigned URL, if any. */
export function credentialScopeRegion(
  authorization: string | undefined,
  query: URLSearchParams,
): string | undefined {
  return credentialScope(authorization, query)?.[2];
}
