/**
 * A verified client certificate's subject as a Kafka principal, as Kafka's default SSL principal
 * builder names it: `User:` and the distinguished name, most specific part first
 * (`User:CN=broker-1`, `User:CN=broker-1,O=sluice`).
 */
import type { PeerCertificateLike } from '../rpc-call-context';

const DN_ORDER = ['CN', 'OU', 'O', 'L', 'ST', 'C'];

export function certificatePrincipal(certificate: PeerCertificateLike | undefined): string | undefined {
  const subject = certificate?.subject;
  if (subject === undefined) return undefined;
  const parts: string[] = [];
  const keys = [
    ...DN_ORDER.filter((key) => key in subject),
    ...Object.keys(subject).filter((k) => !DN_ORDER.includes(k)),
  ];
  for (const key of keys) {
    const value = subject[key];
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) parts.push(`${key}=${item}`);
  }
  return parts.length === 0 ? undefined : `User:${parts.join(',')}`;
}
