import { SecretRedactor, redactSecrets, scrubCredentials } from './redact';

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

describe('scrubCredentials', () => {
  it.each([
    ['Authorization: Bearer eyJhbGciOi.eyJzdWIiOiIx.c2ln', 'Authorization: Bearer [redacted]'],
    ['header was Basic Y2lkOnNlY3JldA==', 'header was Basic [redacted]'],
    ['Authorization: token ghp_0123456789abcdefABCDEF', 'Authorization: token [redacted]'],
    ['{"access_token":"ya29.a0AfH6SM","expires_in":3599}', '{"access_token":"[redacted]","expires_in":3599}'],
    ['grant_type=client_credentials&client_secret=s3cr3t&scope=x', 'grant_type=client_credentials&client_secret=[redacted]&scope=x'],
  ])('scrubs %p', (text, scrubbed) => {
    expect(scrubCredentials(text)).toBe(scrubbed);
  });

  it.each(['Basic authentication failed', 'token endpoint: invalid_client', 'Bearer realm="scim-bridge"', 'Bearer [redacted]'])(
    'leaves prose alone: %p',
    (text) => expect(scrubCredentials(text)).toBe(text),
  );
});

describe('SecretRedactor', () => {
  it('scrubs configured secrets, secrets added at run time, and credential-shaped text', () => {
    const redactor = new SecretRedactor(['config-s3cret']);
    redactor.add('AccessTokEchoed_98765');
    expect(redactor.scrub('config-s3cret / raw=AccessTokEchoed_98765 / Bearer Other-t0ken-123')).toBe('[redacted] / raw=[redacted] / Bearer [redacted]');
  });

  it('keeps a bounded number of runtime secrets, dropping the oldest', () => {
    const redactor = new SecretRedactor();
    for (let i = 0; i < 40; i++) redactor.add(`runtime-secret-${i}`);
    expect(redactor.scrub('runtime-secret-39')).toBe('[redacted]');
    expect(redactor.scrub('runtime-secret-0')).toBe('runtime-secret-0');
  });
});
