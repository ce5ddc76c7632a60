/**
 * The tokens an attacker sends, made by hand (node crypto, no JWT library): signed with the
 * issuer's key but carrying the wrong claims, signed with another key or kid, `alg: none`, or
 * HS256 "signed" with the issuer's public key (algorithm confusion). Tokens that should work
 * come from the real issuer, never from here.
 */
import { createHmac, createPublicKey, sign, type KeyObject } from 'node:crypto';

const b64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url');

export interface Claims {
  readonly [claim: string]: unknown;
}

function encode(header: object, claims: Claims): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
}

/** ES256 over header.claims with `key` (P-256), under `kid`. */
export function es256(key: KeyObject, kid: string, claims: Claims): string {
  const input = encode({ alg: 'ES256', typ: 'at+jwt', kid }, claims);
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(signature)}`;
}

/** `alg: none`: no signature at all. */
export function unsigned(claims: Claims): string {
  return `${encode({ alg: 'none', typ: 'JWT' }, claims)}.`;
}

/** HS256 keyed with the issuer's public key (as PEM text): the classic algorithm-confusion attack. */
export function hs256WithPublicKey(privateKey: KeyObject, kid: string, claims: Claims): string {
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
  const input = encode({ alg: 'HS256', typ: 'JWT', kid }, claims);
  return `${input}.${b64url(createHmac('sha256', publicPem).update(input).digest())}`;
}

/** The same token with its signature's bytes altered. */
export function withBadSignature(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 0xff;
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
  return `${header}.${payload}.${b64url(bytes)}`;
}
