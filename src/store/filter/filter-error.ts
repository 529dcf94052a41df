/** A filter or sort parameter that cannot be compiled; the SCIM edge answers it with 400 invalidFilter. */
export class FilterError extends Error {
  override name = 'FilterError';
}
