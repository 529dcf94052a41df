import type { AttributePath } from './ast';
import { FilterError } from './filter-error';

const attributeName = '[A-Za-z][A-Za-z0-9_-]*';
const subAttributeName = `(?:${attributeName}|\\$ref)`;
/** URN characters are limited so a schema id can be quoted inside a JSON path literal safely. */
const schemaUrn = 'urn:[A-Za-z0-9._:-]+';
const attributePathPattern = new RegExp(`^(?:(${schemaUrn}):)?(${attributeName})(?:\\.(${subAttributeName}))?$`, 'i');
const subAttributePattern = new RegExp(`^${subAttributeName}$`);

/** Parses `[urn:…:]name[.subAttribute]` (RFC 7644 attrPath); position is used in error messages. */
export function parseAttributePath(text: string, position: number): AttributePath {
  const match = attributePathPattern.exec(text);
  if (!match) throw new FilterError(`invalid attribute path ${JSON.stringify(text)} at position ${position}`);
  const [, schema, name, subAttribute] = match;
  return { schema, name, subAttribute, text, position };
}

export function isSubAttributeName(text: string): boolean {
  return subAttributePattern.test(text);
}
