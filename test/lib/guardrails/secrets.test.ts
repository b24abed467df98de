import { secretsDetector } from '../../../lib/guardrails';
import { shannonBits } from '../../../lib/guardrails/secrets/entropy';

const secrets = secretsDetector();
const found = (text: string, detector = secrets): string[] =>
  detector
    .detect(text)
    .sort((a, b) => a.start - b.start)
    .map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

// Built at run time so the repository holds nothing key-shaped.
const body = (length: number, alphabet = 'aB3xY9kLm2Qz7Rt5'): string =>
  Array.from({ length }, (_, i) => alphabet[(i * 7 + (i >> 2)) % alphabet.length]).join('');
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('secrets detector', () => {
  it('finds provider keys by prefix, whole however long', () => {
    const openai = 'sk-proj-' + body(120);
    const anthropic = 'sk-ant-api03-' + body(95);
    expect(found(`key=${openai} and ${anthropic}`)).toEqual([`openai_key:${openai}`, `anthropic_key:${anthropic}`]);
    const github = ['ghp', body(36)].join('_');
    const stripe = ['sk', 'live', body(24)].join('_');
    const google = 'AIza' + body(35);
    expect(found(`${github} ${stripe} ${google}`)).toEqual([`github_token:${github}`, `stripe_key:${stripe}`, `google_api_key:${google}`]);
  });

  it('finds AWS access keys, and secret keys only near a cue', () => {
    const access = 'AKIA' + 'Q7RT5ZB3XY9KLM2W';
    const secret = body(40, 'aB3xY9/kLm2+Qz7Rt5');
    expect(found(`id ${access}\naws_secret_access_key = ${secret}`)).toEqual([`aws_access_key:${access}`, `aws_secret_key:${secret}`]);
    expect(found(`unrelated ${secret}`).some((f) => f.startsWith('aws_secret_key'))).toBe(false);
  });

  it("skips AWS's documented example key", () => {
    expect(found('AKIAIOSFODNN7EXAMPLE')).toEqual([]);
  });

  it('finds JWTs only when the header decodes to JSON naming alg', () => {
    const jwt = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '42' })}.${body(43)}`;
    expect(found(`Bearer ${jwt}`)).toEqual([`jwt:${jwt}`]);
    const notJwt = `eyJ${body(20)}.${body(20)}.${body(20)}`;
    expect(found(notJwt).some((f) => f.startsWith('jwt'))).toBe(false);
  });

  it('finds a PEM private key to its END line, or over its base64 body without one', () => {
    const block = `-----BEGIN RSA PRIVATE KEY-----\n${body(64)}\n${body(20)}\n-----END RSA PRIVATE KEY-----`;
    expect(found(`here:\n${block}\nthanks`)).toEqual([`private_key:${block}`]);
    const truncated = `-----BEGIN PRIVATE KEY-----\n${body(64)}`;
    expect(found(`${truncated}\n\nwhy?`).filter((f) => f.startsWith('private_key'))).toEqual([`private_key:${truncated}`]);
    expect(found('-----BEGIN EC PRIVATE KEY----- was all I pasted')).toEqual(['private_key:-----BEGIN EC PRIVATE KEY-----']);
  });

  it('finds random tokens by entropy but not hashes, UUIDs, identifiers or SRI hashes', () => {
    const token = 'Zx9Qa7LmP2vRt8YwK3nB6cJ1hF5sD0gE';
    expect(found(`token ${token}`)).toEqual([`high_entropy:${token}`]);
    expect(
      found(
        'sha 3f786850e387550fdab836ed7e6dc881de23001b uuid 123e4567-e89b-12d3-a456-426614174000 getUserAccountSettingsFromCacheOrDatabase sha512-9b2zQ0FbNqBcW0sF8Xf0T1G3gVYhHfUq2mR8v1XnO4pC0LwJx6y5eZk7rA3sD9uIoPaSdFgHjKlQwErTyUiOp==',
      ),
    ).toEqual([]);
    expect(found(`token ${token}`, secretsDetector({ highEntropy: false }))).toEqual([]);
  });

  it('does not report a key twice as a high-entropy token', () => {
    expect(found('sk-proj-' + body(120)).map((f) => f.split(':')[0])).toEqual(['openai_key']);
  });

  it('leaves the variable name out of the token', () => {
    const token = 'W1y6Vg6CHJSQfx48ba5iY8WwwFCH00f';
    expect(found(`REDIS_PASSWORD=${token}`)).toEqual([`high_entropy:${token}`]);
  });

  it('measures entropy in bits per character', () => {
    expect(shannonBits('aaaa')).toBe(0);
    expect(shannonBits('abcd')).toBe(2);
  });
});
