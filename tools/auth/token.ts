import { parseArgs } from 'node:util';
import { DEVELOPMENT_JWT_SECRET } from '@sc/config';
import { ROLES, isRole, signDevelopmentToken } from '@sc/security';

/**
 * Prints a bearer token for the local stack (signed with AUTH_JWT_SECRET or the development
 * secret, which production refuses). Production tokens come from the identity provider.
 */
function main(): void {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string', default: 'pharm-ana' },
      roles: { type: 'string', default: 'pharmacist' },
      teams: { type: 'string', default: '' },
      ttl: { type: 'string', default: '3600' },
    },
  });
  const roles = values.roles.split(',').filter((role) => role.length > 0);
  const unknown = roles.filter((role) => !isRole(role));
  if (unknown.length > 0) {
    console.error(`unknown role(s) ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
    process.exit(2);
  }
  const teams = values.teams.split(',').filter((team) => team.length > 0);
  console.log(signDevelopmentToken(process.env.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET, { sub: values.sub, roles, teams, ttlSeconds: Number(values.ttl) }));
}

main();
