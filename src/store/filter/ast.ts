export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export const compareOperators: readonly CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

export type Literal = string | number | boolean | null;

/** `[schemaUrn:]name[.subAttribute]` as written; names keep their original casing. */
export interface AttributePath {
  schema?: string;
  name: string;
  subAttribute?: string;
  text: string;
  position: number;
}

export type FilterNode =
  | { kind: 'and' | 'or'; operands: FilterNode[] }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; path: AttributePath; operator: CompareOperator; value: Literal }
  | { kind: 'present'; path: AttributePath }
  /** `path[filter]`: some element of the multi-valued attribute satisfies filter (paths inside are sub-attributes). */
  | { kind: 'valuePath'; path: AttributePath; filter: FilterNode };
