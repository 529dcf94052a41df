import type { AttributePath, FilterNode } from './ast';
import { comparison } from './comparison';
import { FilterError } from './filter-error';
import {
  canonicalSubAttribute,
  elementItself,
  jsonElementDocument,
  jsonElementPath,
  resolveAttribute,
  resolveMultiValued,
  resourceColumn,
  subAttributeDefinition,
  type MultiValuedAttribute,
  type ResolvedAttribute,
} from './resolve-attribute';
import type { AttributeDefinition, Relation, ResourceCatalogue } from './schema-catalogue';
import { jsonValue, presence, sqlLiteral, type SqlFragment, type SqlValue } from './sql-value';

type Resolve = (path: AttributePath) => ResolvedAttribute;
type AttributeTest = Extract<FilterNode, { kind: 'compare' | 'present' }>;

/** Turns a parsed filter into a WHERE fragment over the catalogue's table. */
export function compileFilter(node: FilterNode, catalogue: ResourceCatalogue): SqlFragment {
  return new Compiler(catalogue).compile(node, (path) => resolveAttribute(path, catalogue));
}

class Compiler {
  constructor(private readonly catalogue: ResourceCatalogue) {}

  compile(node: FilterNode, resolve: Resolve): SqlFragment {
    switch (node.kind) {
      case 'and':
      case 'or':
        return this.logical(node.kind, node.operands, resolve);
      case 'not': {
        // coalesce: a NULL from a missing JSON value must make "not (...)" true, not unknown.
        const operand = this.compile(node.operand, resolve);
        return { sql: `NOT coalesce(${operand.sql}, 0)`, params: operand.params };
      }
      case 'valuePath':
        return this.anyElement(resolveMultiValued(node.path, this.catalogue), node.filter);
      case 'compare':
      case 'present':
        return this.attributeTest(node, resolve(node.path));
    }
    throw new FilterError('unsupported filter');
  }

  private logical(keyword: 'and' | 'or', operands: FilterNode[], resolve: Resolve): SqlFragment {
    const parts = operands.map((operand) => this.compile(operand, resolve));
    return { sql: balancedJoin(parts.map((part) => part.sql), keyword === 'and' ? ' AND ' : ' OR '), params: parts.flatMap((part) => part.params) };
  }

  private attributeTest(node: AttributeTest, resolved: ResolvedAttribute): SqlFragment {
    if (resolved.kind === 'multiValued') return this.multiValuedTest(node, resolved.attribute, resolved.subAttribute);
    if (node.kind === 'present') return { sql: resolved.kind === 'complex' ? resolved.presence : presence(resolved.value), params: [] };
    const value = resolved.kind === 'value' ? resolved.value : resolved.defaultValue;
    if (!value) throw new FilterError(`${node.path.text} is complex; compare one of its sub-attributes instead`);
    return comparison(value, node.operator, node.value);
  }

  /** `emails.value co "x"`, `emails eq "x"`, `emails pr`: shorthand for a test on any one element. */
  private multiValuedTest(node: AttributeTest, attribute: MultiValuedAttribute, subAttribute: string | undefined): SqlFragment {
    if (node.kind === 'present' && !subAttribute) return this.anyElementExists(attribute);
    const element = { ...node.path, schema: undefined, name: subAttribute ?? elementItself, subAttribute: undefined };
    return this.anyElement(attribute, { ...node, path: element });
  }

  /** EXISTS over the attribute's values: an indexed table when one holds every sub-attribute used, else json_each. */
  private anyElement(attribute: MultiValuedAttribute, filter: FilterNode): SqlFragment {
    const names = subAttributeNames(filter).map((name) => canonicalSubAttribute(attribute, name));
    const relation = attribute.definition?.relation;
    if (relation && names.every((name) => name in relation.columns)) {
      const inner = this.compile(filter, (path) => ({ kind: 'value', value: relationValue(attribute, relation, path) }));
      return { sql: this.relationMatch(relation, inner.sql, isSelective(filter, attribute, relation)), params: inner.params };
    }
    const inner = this.compile(filter, (path) => ({ kind: 'value', value: this.jsonElementValue(attribute, path) }));
    return { sql: `EXISTS (SELECT 1 FROM ${this.jsonElements(attribute)} WHERE ${inner.sql})`, params: inner.params };
  }

  /**
   * A selective condition (eq/sw on an indexed column) finds the few matching rows through the index and
   * then their owners: `id IN (…)`. Anything else is checked per candidate row with a correlated EXISTS, so
   * `userName eq "a" and emails[type eq "work"]` does not first list every work email.
   */
  private relationMatch(relation: Relation, condition: string | undefined, selective: boolean): string {
    const conditions = [relation.where, condition].filter(Boolean);
    const owner = `${this.catalogue.table}.id`;
    if (selective) return `${owner} IN (SELECT ${relation.key} FROM ${relation.from} WHERE ${conditions.join(' AND ')})`;
    return `EXISTS (SELECT 1 FROM ${relation.from} WHERE ${[`${relation.key} = ${owner}`, ...conditions].join(' AND ')})`;
  }

  private anyElementExists(attribute: MultiValuedAttribute): SqlFragment {
    const relation = attribute.definition?.relation;
    if (relation) return { sql: this.relationMatch(relation, undefined, false), params: [] };
    return { sql: `coalesce(json_array_length(${resourceColumn(this.catalogue)}, ${sqlLiteral(attribute.path)}), 0) > 0`, params: [] };
  }

  private jsonElements(attribute: MultiValuedAttribute): string {
    return `json_each(${resourceColumn(this.catalogue)}, ${sqlLiteral(attribute.path)}) AS e`;
  }

  private jsonElementValue(attribute: MultiValuedAttribute, path: AttributePath): SqlValue {
    const name = canonicalSubAttribute(attribute, path.name);
    const definition = subAttributeDefinition(attribute, name);
    if (name === elementItself) {
      return { label: attribute.label, sql: 'e.atom', type: attribute.definition?.type ?? 'unknown', caseExact: false, notNull: false };
    }
    const label = `${attribute.label}.${name}`;
    return jsonValue(label, jsonElementDocument, jsonElementPath(name), definition?.type ?? 'unknown', definition?.caseExact ?? false);
  }
}

/** Terms joined flat up to this many; longer chains are split in halves. */
const flatChain = 64;

/**
 * `(a OR b OR …)` as a balanced tree of parenthesised halves: SQLite parses a flat chain of n terms into a
 * tree n deep, and refuses trees deeper than 1000 (a 1,000-term `id eq … or …` filter would be a 500).
 * Halving keeps the depth near flatChain + log2(n); the order of the terms, and so of the bound
 * parameters, is unchanged, and the planner flattens nested ORs again (an OR over one index stays one).
 */
function balancedJoin(terms: string[], operator: string): string {
  if (terms.length <= flatChain) return `(${terms.join(operator)})`;
  const half = Math.ceil(terms.length / 2);
  return `(${balancedJoin(terms.slice(0, half), operator)}${operator}${balancedJoin(terms.slice(half), operator)})`;
}

function relationValue(attribute: MultiValuedAttribute, relation: Relation, path: AttributePath): SqlValue {
  const name = canonicalSubAttribute(attribute, path.name);
  const definition = subAttributeDefinition(attribute, name) as AttributeDefinition;
  const column = relation.columns[name];
  return { label: `${attribute.label}.${name}`, sql: column.sql, type: definition.type, caseExact: definition.caseExact ?? false, notNull: column.notNull };
}

function isSelective(node: FilterNode, attribute: MultiValuedAttribute, relation: Relation): boolean {
  switch (node.kind) {
    case 'and':
      return node.operands.some((operand) => isSelective(operand, attribute, relation));
    case 'or':
      return node.operands.every((operand) => isSelective(operand, attribute, relation));
    case 'compare':
      return (node.operator === 'eq' || node.operator === 'sw') && node.value !== null &&
        relation.columns[canonicalSubAttribute(attribute, node.path.name)]?.indexed === true;
    default:
      return false;
  }
}

/** Sub-attribute names used inside a value filter; `[...]` paths are relative, so no schema or dots. */
function subAttributeNames(node: FilterNode): string[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.operands.flatMap(subAttributeNames);
    case 'not':
      return subAttributeNames(node.operand);
    case 'valuePath':
      throw new FilterError(`value paths cannot be nested (at position ${node.path.position})`);
    default:
      if (node.path.schema || node.path.subAttribute) {
        throw new FilterError(`inside "[...]" name a sub-attribute such as type or value, not ${JSON.stringify(node.path.text)}`);
      }
      return [node.path.name];
  }
}
