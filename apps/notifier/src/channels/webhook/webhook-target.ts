import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup as lookupAll } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

/**
 * Address classes a webhook may not reach unless an operator allows them: a webhook URL is chosen
 * by a user, so without this it is a way to make the notifier call services inside the cluster.
 * More specific classes first (the cloud metadata address is also link-local).
 */
const REFUSED: Array<[label: string, network: string, prefix: number, family: Family]> = [
  ['cloud metadata', '169.254.169.254', 32, 'ipv4'],
  ['cloud metadata', 'fd00:ec2::254', 128, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const CLASSES = REFUSED.map(([label, network, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { label, list, family };
});

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is the IPv4 address. */
function normalize(address: string): { address: string; family: Family } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) {
    return { address: mapped[1], family: 'ipv4' };
  }
  // The same written in hex, as URL parsing normalizes it: ::ffff:7f00:1.
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 'ipv4' };
  }
  const version = isIP(address);
  return version === 0 ? undefined : { address, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The refused class of an address, or undefined for a public one. */
export function addressClass(address: string): string | undefined {
  const ip = normalize(address);
  if (!ip) {
    return 'not an address';
  }
  return CLASSES.find((entry) => entry.family === ip.family && entry.list.check(ip.address, ip.family))?.label;
}

export class WebhookTargetError extends Error {}

/** Which webhook targets are allowed: public addresses, and what the operator's allow-list names. */
export class WebhookTargetPolicy {
  private readonly allowed = new BlockList();

  /** `allowList`: comma-separated addresses or CIDR ranges (WEBHOOK_ALLOWED_ADDRESSES). */
  constructor(
    allowList: string,
    private readonly requireHttps: boolean,
  ) {
    for (const entry of allowList.split(',').map((value) => value.trim()).filter(Boolean)) {
      const [network, prefix] = entry.split('/');
      const ip = normalize(network);
      if (!ip) {
        throw new Error(`WEBHOOK_ALLOWED_ADDRESSES: ${entry} is not an address or CIDR range`);
      }
      this.allowed.addSubnet(ip.address, prefix === undefined ? (ip.family === 'ipv4' ? 32 : 128) : Number(prefix), ip.family);
    }
  }

  /** Why an address may not be connected to, or undefined when it may. */
  refusalOf(address: string): string | undefined {
    const label = addressClass(address);
    if (label === undefined) {
      return undefined;
    }
    const ip = normalize(address);
    return ip && this.allowed.check(ip.address, ip.family) ? undefined : `${label} address`;
  }

  /** Checks a URL when it is registered: scheme, and every address its host resolves to now. */
  async checkUrl(raw: string): Promise<void> {
    const url = new URL(raw);
    if (this.requireHttps && url.protocol !== 'https:') {
      throw new WebhookTargetError('webhook URLs must use https');
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : (await lookupAll(host, { all: true }).catch(() => [] as LookupAddress[])).map((entry) => entry.address);
    if (addresses.length === 0) {
      throw new WebhookTargetError('the webhook host does not resolve');
    }
    for (const address of addresses) {
      const refusal = this.refusalOf(address);
      if (refusal) {
        throw new WebhookTargetError(`the webhook host resolves to a ${refusal}`);
      }
    }
  }

  /**
   * A `lookup` for the connection itself: the host is resolved again when the notifier connects,
   * and a name that now points inside (DNS rebinding) fails the connection.
   */
  readonly lookup = (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      const refused = addresses.map((entry) => this.refusalOf(entry.address)).find((refusal) => refusal !== undefined);
      if (refused) {
        callback(Object.assign(new WebhookTargetError(`webhook host resolved to a ${refused} at connect time`), { code: 'EWEBHOOKTARGET' }), []);
        return;
      }
      if (options.all) {
        callback(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    });
  };
}

/** The policy a notifier's configuration asks for; production always requires https. */
export function webhookTargetPolicy(config: { WEBHOOK_ALLOWED_ADDRESSES: string; WEBHOOK_REQUIRE_HTTPS: string; NODE_ENV: string }): WebhookTargetPolicy {
  return new WebhookTargetPolicy(config.WEBHOOK_ALLOWED_ADDRESSES, config.WEBHOOK_REQUIRE_HTTPS === 'true' || config.NODE_ENV === 'production');
}

/**
 * POSTs a webhook body, connecting only to addresses the policy allows (checked on the address
 * actually connected to), following no redirect, and answers the response status.
 */
export function postWebhook(policy: WebhookTargetPolicy, raw: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // An address literal is connected to without a lookup, so it is checked here.
  const refusal = isIP(host) ? policy.refusalOf(host) : undefined;
  if (refusal) {
    return Promise.reject(Object.assign(new WebhookTargetError(`webhook URL names a ${refusal}`), { code: 'EWEBHOOKTARGET' }));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, lookup: policy.lookup, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('webhook timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.end(body);
  });
}
