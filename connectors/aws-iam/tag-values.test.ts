import { describe, expect, it } from '@jest/globals';
import { decodeTagValue, encodeTagValue, MAX_TAG_VALUE_LENGTH } from './tag-values';

/** IAM's documented pattern for tag values. */
const IAM_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const TRICKY = [
  "Conan O'Brien",
  'Lovelace, Ada',
  'Grace Hopper (Contractor)',
  'Ada Lovelace-Byron / Ops',
  'José Ñúñez 山田 太郎',
  'Zoë "Z" & Co.',
  'team=infra',
  'literal =3D and =2C stay literal',
  'ends with =',
  '==28',
  '=A(',
  'tab\tand\nnewline',
  'emoji 🚀 and ’curly’ quotes',
  '100% #1 ; [x] {y} <z> | ~ ` ^ \\ ! ? * $',
];

describe('IAM tag values', () => {
  it.each(TRICKY)('%j becomes a value IAM accepts and reads back unchanged', (text) => {
    const encoded = encodeTagValue(text);
    expect(encoded).toMatch(IAM_TAG_VALUE);
    expect(decodeTagValue(encoded)).toBe(text);
    expect(encodeTagValue(text)).toBe(encoded);
  });

  it('leaves values IAM already accepts as they are', () => {
    for (const text of ['Ada Lovelace', 'ada+ops@example.com', 'arn:aws:iam::1:user/x', 'a=b', 'José 山田']) expect(encodeTagValue(text)).toBe(text);
  });

  it('writes common names readably', () => {
    expect(encodeTagValue("Conan O'Brien")).toBe('Conan O=27Brien');
    expect(encodeTagValue('Lovelace, Ada')).toBe('Lovelace=2C Ada');
    expect(encodeTagValue('Grace Hopper (Contractor)')).toBe('Grace Hopper =28Contractor=29');
  });

  it('cuts an over-long value at 256 characters, never inside an escape', () => {
    const plain = encodeTagValue('a'.repeat(300));
    expect(Array.from(plain)).toHaveLength(MAX_TAG_VALUE_LENGTH);
    const escaped = encodeTagValue(`${'a'.repeat(250)}’’’`);
    expect(escaped).toBe(`${'a'.repeat(250)}`);
    expect(escaped).toMatch(IAM_TAG_VALUE);
    const astral = encodeTagValue('𝒜'.repeat(300));
    expect(Array.from(astral)).toHaveLength(MAX_TAG_VALUE_LENGTH);
    expect(astral).toMatch(IAM_TAG_VALUE);
  });
});
