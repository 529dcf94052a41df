/**
 * IAM tag values hold at most 256 characters of letters, digits, spaces and `_ . : / = + - @`. Names like
 * "Conan O'Brien" or "Lovelace, Ada" hold others, so values are written with a reversible escape: each
 * UTF-8 byte of a character IAM refuses becomes `=XX` (uppercase hex), as in quoted-printable, and `=`
 * itself is escaped only where it is followed by two hex digits. Reading a tag decodes it, so what the
 * connector reports equals what the mapping produced and reconciliation sees no drift. Encoding is
 * deterministic: the same desired value always gives the same tag value.
 */

export const MAX_TAG_VALUE_LENGTH = 256;
const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/+\-@]$/u;
const HEX_PAIR = /^[0-9A-F]{2}/;
const ESCAPED_RUN = /(?:=[0-9A-F]{2})+/g;

/**
 * The tag value for `text`. Past 256 characters the value is cut at a character boundary (never inside an
 * escape), so an over-long value reads back shorter than it was mapped.
 */
export function encodeTagValue(text: string): string {
  let encoded = '';
  let length = 0;
  const characters = Array.from(text);
  for (const [index, character] of characters.entries()) {
    const piece = pieceFor(character, characters.slice(index + 1, index + 3).join(''));
    const pieceLength = Array.from(piece).length;
    if (length + pieceLength > MAX_TAG_VALUE_LENGTH) break;
    encoded += piece;
    length += pieceLength;
  }
  return encoded;
}

export function decodeTagValue(value: string): string {
  return value.replace(ESCAPED_RUN, (run) => Buffer.from(run.replaceAll('=', ''), 'hex').toString('utf8'));
}

function pieceFor(character: string, following: string): string {
  if (character === '=') return HEX_PAIR.test(following) ? escape(character) : character;
  return ALLOWED.test(character) ? character : escape(character);
}

function escape(character: string): string {
  return [...Buffer.from(character, 'utf8')].map((byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}
