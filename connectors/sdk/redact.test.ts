import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('replaces every occurrence of every secret', () => {
    expect(redactSecrets('a s3cret-1 b s3cret-1 c tok3n-22', ['s3cret-1', 'tok3n-22'])).toBe('a [redacted] b [redacted] c [redacted]');
  });

  it('catches the URL-encoded form', () => {
    expect(redactSecrets('client_secret=a%2Fb%3Dc%2B', ['a/b=c+'])).toBe('client_secret=[redacted]');
  });

  it('ignores empty, missing and very short secrets rather than mangling the message', () => {
    expect(redactSecrets('user abc failed', ['', undefined, 'abc'])).toBe('user abc failed');
  });
});
