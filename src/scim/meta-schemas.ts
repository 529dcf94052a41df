import SCIMMY from 'scimmy';

const { Attribute, SchemaDefinition } = SCIMMY.Types;
const readOnly = { mutable: false, caseExact: false } as const;
const text = (name: string, description: string, config: Record<string, unknown> = {}) => new Attribute('string', name, { ...readOnly, description, ...config });
const flag = (name: string, description: string) => new Attribute('boolean', name, { mutable: false, description });

/** The sub-attributes that describe one attribute (RFC 7643 7: "attributes" and, one level down, "subAttributes"). */
function attributeDescription(withSubAttributes: boolean): SCIMMY.Types.Attribute[] {
  return [
    text('name', "The attribute's name", { required: true, caseExact: true }),
    text('type', "The attribute's data type", { required: true, canonicalValues: ['string', 'complex', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary'] }),
    flag('multiValued', 'Whether the attribute is multi-valued'),
    text('description', "The attribute's human-readable description"),
    flag('required', 'Whether the attribute is required'),
    text('canonicalValues', 'Suggested canonical values', { multiValued: true }),
    flag('caseExact', 'Whether string values are case-sensitive'),
    text('mutability', 'Whether and when the attribute may be changed', { canonicalValues: ['readOnly', 'readWrite', 'immutable', 'writeOnly'] }),
    text('returned', 'When the attribute is returned in a response', { canonicalValues: ['always', 'never', 'default', 'request'] }),
    text('uniqueness', 'How unique the value must be', { canonicalValues: ['none', 'server', 'global'] }),
    text('referenceTypes', 'The resource types a reference may name', { multiValued: true }),
    ...(withSubAttributes ? [new Attribute('complex', 'subAttributes', { mutable: false, multiValued: true, description: 'The sub-attributes of a complex attribute' }, attributeDescription(false))] : []),
  ];
}

/** RFC 7643 7: the schema that describes schemas (scimmy has the ResourceType and ServiceProviderConfig ones). */
const schemaSchema = withVisibleId(new SchemaDefinition('Schema', 'urn:ietf:params:scim:schemas:core:2.0:Schema', 'Specifies the schema attribute, its sub-attributes and their characteristics', [
  text('name', "The schema's human-readable name"),
  text('description', "The schema's human-readable description"),
  new Attribute('complex', 'attributes', { mutable: false, multiValued: true, required: true, description: "The schema's attributes" }, attributeDescription(true)),
]));

/** A schema's id is its URI, an attribute of the schema itself (as scimmy does for ResourceType's id). */
function withVisibleId(definition: SCIMMY.Types.SchemaDefinition): SCIMMY.Types.SchemaDefinition {
  Object.assign((definition.attribute('id') as SCIMMY.Types.Attribute).config, { shadow: false, required: true, returned: true, caseExact: true, uniqueness: 'none', description: "The schema's unique URI" });
  return definition;
}

/**
 * Declares the three schemas that describe the discovery resources, so /Schemas lists them too (RFC 7643
 * 7 and 8.7.2 give them; conformance suites look for them there).
 */
export function declareMetaSchemas(): void {
  for (const definition of [SCIMMY.Schemas.ServiceProviderConfig.definition, SCIMMY.Schemas.ResourceType.definition, schemaSchema]) {
    SCIMMY.Schemas.declare(definition);
  }
}
