/** Why an accepted event waits: the same words on both backends. */
export function parkReason(location: string): string {
  return `location '${location}' is not defined; the event applies when it is (PUT /v1/locations/${location})`;
}
