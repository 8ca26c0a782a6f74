/** Reads the service name out of a SigV4 credential scope. Signatures are never verified locally. */

// SigV4 credential scope: "<access key>/<yyyymmdd>/<region>/<service>/aws4_request" (AWS SigV4 docs).
const CREDENTIAL_PATTERN = /Credential=([^,\s]+)/;

/** The `<service>` part of the scope from the Authorization header or a presigned URL, if any. */
export function credentialScopeService(
  authorization: string | undefined,
  query: URLSearchParams,
): string | undefined {
  const credential =
    authorization?.match(CREDENTIAL_PATTERN)?.[1] ?? query.get('X-Amz-Credential') ?? undefined;
  if (credential === undefined) return undefined;
  const parts = credential.split('/');
  // The access key id cannot contain '/', so the service is always the fourth part.
  return parts.length === 5 ? parts[3] : undefined;
}

/** The `<region>` part of the scope from the Authorization header or a presigned URL, if any. */
export function credentialScopeRegion(
  authorization: string | undefined,
  query: URLSearchParams,
): string | undefined {
  const credential =
    authorization?.match(CREDENTIAL_PATTERN)?.[1] ?? query.get('X-Amz-Credential') ?? undefined;
  const parts = credential?.split('/') ?? [];
  return parts.length === 5 ? parts[2] : undefined;
}
