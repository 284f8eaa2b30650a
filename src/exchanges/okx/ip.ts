// OKX binds up to 20 IPv4/IPv6 addresses or network segments to a key (docs "Authentication →
// API key security"). Shared by the adapter (refuse bad entries before sending) and the simulator
// (match the caller against the binding).

import { BlockList, isIP } from 'node:net';

/** OKX's limit of bound addresses per key. */
export const MAX_BOUND_IPS = 20;

/** One allowlist entry: an address, or an address with a prefix length. */
export interface IpEntry {
  address: string;
  prefix: number | undefined;
  family: 'ipv4' | 'ipv6';
}

/** Parses "10.0.0.1" or "10.0.0.0/24" (IPv6 alike); undefined when it is neither. */
export function parseIpEntry(entry: string): IpEntry | undefined {
  const [address = '', prefixText, ...rest] = entry.trim().split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, prefix: undefined, family };
  const prefix = Number(prefixText);
  const max = version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) return undefined;
  return { address, prefix, family };
}

/** True when `ip` is one of the entries or falls inside one of their segments. */
export function ipAllowed(ip: string, entries: readonly string[]): boolean {
  const list = new BlockList();
  for (const entry of entries.map(parseIpEntry)) {
    if (!entry) continue;
    if (entry.prefix === undefined) list.addAddress(entry.address, entry.family);
    else list.addSubnet(entry.address, entry.prefix, entry.family);
  }
  const version = isIP(ip);
  return version !== 0 && list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}
