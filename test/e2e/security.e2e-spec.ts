import { createHmac, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { ROLES, TEAM_SCOPED_ROLES, type Role } from '@sc/security';
import { SystemUnderTest, databaseUrl, repoRoot, type ServiceName } from '@sc/testing';
import { seedRow } from './support/seed-row';

/** Services whose HTTP API holds patient data and is therefore behind authentication. */
const SECURED: ServiceName[] = ['adt-ingest', 'pharmacy-alert', 'care-gap', 'referral', 'notifier'];

interface OpenApiOperation {
  'x-roles'?: Role[];
  'x-public'?: boolean;
  'x-team-scope'?: { kind: 'resource' | 'team' | 'self' | 'filtered' | 'none'; param?: string; in?: 'path' | 'query'; reason?: string };
  parameters?: Array<{ in: string; name: string }>;
}

type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>> };

const concretePath = (template: string): string => template.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');

describe('security: every route is authenticated and authorized', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: SECURED, env: { RATE_LIMIT_PER_MINUTE: '25', HTTP_BODY_LIMIT: '64kb', WEBHOOK_ALLOWED_ADDRESSES: '' } });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it.each(SECURED)('%s: every route in its OpenAPI document refuses anonymous callers (401) and wrong roles (403)', async (name) => {
    const service = system.service(name);
    const document = (await (await fetch(service.url('/docs-json'))).json()) as OpenApiDocument;
    let checked = 0;
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const url = service.url(concretePath(template));
        if (operation['x-public']) {
          expect(template).toMatch(/^\/(health|metrics)/);
          continue;
        }
        const allowed = operation['x-roles'];
        expect({ route: `${method} ${template}`, hasPolicy: Array.isArray(allowed) && allowed.length > 0 }).toEqual({ route: `${method} ${template}`, hasPolicy: true });
        const anonymous = await fetch(url, { method: method.toUpperCase() });
        expect({ route: `${method} ${template}`, status: anonymous.status }).toEqual({ route: `${method} ${template}`, status: 401 });
        const wrongRole = ROLES.find((role) => !allowed?.includes(role)) as Role;
        const refused = await fetch(url, { method: method.toUpperCase(), headers: system.authorization('intruder', [wrongRole], ['team-1']) });
        expect({ route: `${method} ${template}`, role: wrongRole, status: refused.status }).toEqual({ route: `${method} ${template}`, role: wrongRole, status: 403 });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('refuses expired, unsigned and wrongly signed tokens', async () => {
    const url = system.service('pharmacy-alert').url('/v1/tasks');
    const header = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = header({ sub: 'x', roles: ['pharmacist'], exp: Math.floor(Date.now() / 1000) + 600 });
    const unsigned = `${header({ alg: 'none' })}.${claims}.`;
    const forged = `${header({ alg: 'HS256' })}.${claims}.${createHmac('sha256', 'not-the-secret').update(`${header({ alg: 'HS256' })}.${claims}`).digest('base64url')}`;
    const expiredClaims = header({ sub: 'x', roles: ['pharmacist'], exp: Math.floor(Date.now() / 1000) - 3600 });
    const expired = `${header({ alg: 'HS256' })}.${expiredClaims}.${createHmac('sha256', system.authSecret).update(`${header({ alg: 'HS256' })}.${expiredClaims}`).digest('base64url')}`;
    for (const token of [unsigned, forged, expired, 'garbage']) {
      expect((await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    }
    expect((await fetch(url, { headers: system.authorization('x', ['pharmacist'], ['team-1']) })).status).toBe(200);
  });

  it('shows a pharmacist only the patients of their own teams', async () => {
    const base = system.service('pharmacy-alert').url('');
    const admin = system.authorization('feed', ['integration']);
    await fetch(`${base}/v1/roster/patients`, {
      method: 'POST',
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        patients: [
          { pharmacyPatientId: 'SC-1', familyName: 'A', givenName: 'B', birthDate: '1970-01-01', teamId: 'team-1', identifiers: [{ authority: 'LGH', value: 'SC1', type: 'MR' }] },
        ],
      }),
    });
    const db = new Client({ connectionString: databaseUrl(system.runId, 'pharmacy-alert') });
    await db.connect();
    let patientId: string;
    try {
      patientId = (await db.query<{ id: string }>(`SELECT id FROM patients WHERE pharmacy_patient_id = 'SC-1'`)).rows[0].id;
    } finally {
      await db.end();
    }
    const ownTeam = await fetch(`${base}/v1/patients/${patientId}/timeline`, { headers: system.authorization('pharm-1', ['pharmacist'], ['team-1']) });
    const otherTeam = await fetch(`${base}/v1/patients/${patientId}/timeline`, { headers: system.authorization('pharm-2', ['pharmacist'], ['team-2']) });
    expect(ownTeam.status).toBe(200);
    expect(otherTeam.status).toBe(404);
  });

  it('audits reads of patient data in a hash-chained, append-only log that compliance can query, and audits that query too', async () => {
    const base = system.service('pharmacy-alert').url('');
    const db = new Client({ connectionString: databaseUrl(system.runId, 'pharmacy-alert') });
    await db.connect();
    try {
      const patientId = (await db.query<{ id: string }>(`SELECT id FROM patients WHERE pharmacy_patient_id = 'SC-1'`)).rows[0].id;
      await fetch(`${base}/v1/patients/${patientId}/timeline`, { headers: { ...system.authorization('pharm-1', ['pharmacist'], ['team-1']), 'X-Purpose-Of-Use': 'TREAT' } });
      const compliance = system.authorization('auditor-1', ['compliance']);
      const entries = (await (await fetch(`${base}/v1/audit?patientRef=${patientId}`, { headers: compliance })).json()) as Array<{
        actorId: string;
        action: string;
        purpose: string;
        outcome: number;
      }>;
      expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ actorId: 'pharm-1', action: 'GET /v1/patients/:id/timeline', purpose: 'TREAT', outcome: 200 })]));
      // The refused read by another team is on record too.
      expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ actorId: 'pharm-2', outcome: 404 })]));

      const trail = (await (await fetch(`${base}/v1/audit?actorId=auditor-1`, { headers: compliance })).json()) as Array<{ action: string }>;
      expect(trail.map((entry) => entry.action)).toContain('GET /v1/audit');

      const verification = (await (await fetch(`${base}/v1/audit/verify`, { headers: compliance })).json()) as { valid: boolean; checked: number };
      expect(verification.valid).toBe(true);
      expect(verification.checked).toBeGreaterThan(3);

      await expect(db.query(`UPDATE audit_log SET actor_id = 'someone-else'`)).rejects.toThrow(/append-only/);
      await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    } finally {
      await db.end();
    }
  });

  it('limits each caller’s request rate and says when to retry', async () => {
    const url = system.service('pharmacy-alert').url('/v1/tasks');
    const caller = system.authorization(`busy-pharmacist-${system.runId}`, ['pharmacist'], ['team-1']);
    // The window is a calendar minute, so a run that crosses a minute boundary gets a second allowance.
    const statuses: number[] = [];
    let limited: Response | undefined;
    while (!limited && statuses.length < 60) {
      const response = await fetch(url, { headers: caller });
      statuses.push(response.status);
      if (response.status === 429) {
        limited = response;
      }
    }
    const allowed = statuses.slice(0, -1);
    expect(limited?.status).toBe(429);
    expect(allowed.every((status) => status === 200)).toBe(true);
    expect(allowed.length).toBeGreaterThanOrEqual(25);
    expect(allowed.length).toBeLessThanOrEqual(50);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('sends security headers and refuses oversized bodies', async () => {
    const base = system.service('pharmacy-alert').url('');
    const health = await fetch(`${base}/health/live`);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-frame-options')).toBe('DENY');
    expect(health.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(health.headers.get('x-powered-by')).toBeNull();
    const huge = JSON.stringify({ patients: [{ pharmacyPatientId: 'x'.repeat(100_000) }] });
    const response = await fetch(`${base}/v1/roster/patients`, {
      method: 'POST',
      headers: { ...system.authorization('feed-2', ['integration']), 'Content-Type': 'application/json' },
      body: huge,
    });
    expect(response.status).toBe(413);
  });

  it('writes no patient name or birth date to any log when storing fails (NUL, invalid byte sequence, constraint)', async () => {
    const family = 'Canaryfamilia';
    const birthDate = '1933-03-31';
    const feed = { ...system.authorization('feed-canary', ['integration']), 'Content-Type': 'application/json' };
    const roster = (patient: object): Promise<Response> =>
      fetch(system.service('pharmacy-alert').url('/v1/roster/patients'), { method: 'POST', headers: feed, body: JSON.stringify({ patients: [patient] }) });
    const patient = { pharmacyPatientId: 'SC-CANARY', givenName: 'Bee', birthDate, teamId: 'team-1', identifiers: [{ authority: 'LGH', value: 'CAN1', type: 'MR' }] };
    await roster({ ...patient, familyName: `${family}\u0000` });
    await roster({ ...patient, familyName: `${family}\ud800` });
    await fetch(system.service('care-gap').url('/v1/patients/subject-canary/consents/hiv'), {
      method: 'PUT',
      headers: feed,
      body: JSON.stringify({ granted: true, reason: `${family} ${birthDate}\u0000` }),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const logDir = path.join(repoRoot(), '.run', 'test-logs', system.runId);
    const leaks = readdirSync(logDir).flatMap((file) =>
      readFileSync(path.join(logDir, file), 'utf8')
        .split('\n')
        .filter((line) => line.includes(family) || line.includes(birthDate))
        .map((line) => `${file}: ${line.slice(0, 200)}`),
    );
    expect(leaks).toEqual([]);
  });

  describe('team scope: a caller of another team is refused on every operation that names a patient or work item', () => {
    const OWN = 'team-walk-own';
    const OTHER = 'team-walk-other';
    const ids = { patient: '', task: randomUUID(), review: randomUUID(), gap: randomUUID(), subject: `subject-walk-${randomUUID()}`, referral: randomUUID(), notification: `n-walk-${randomUUID()}` };
    /** Routes open to team-scoped roles that name no patient or work item: the reviewed exception list. */
    const NO_SCOPE = [
      'care-gap get /v1/plans/{planId}/benefits',
      'care-gap get /v1/rules',
      'care-gap get /v1/rules/{ruleId}/versions',
      'notifier get /v1/recipients',
      'notifier post /v1/notifications/{notificationId}/acknowledge',
      'notifier post /v1/notifications/{notificationId}/read',
      'notifier get /v1/streams/{kind}/{id}',
      'pharmacy-alert get /v1/pharmacists',
      'pharmacy-alert get /v1/roster/stats',
      'referral get /v1/nurses',
      'referral get /v1/nurses/{id}',
      'referral post /v1/queues/claims',
    ];

    const db = async <T>(service: ServiceName, work: (client: Client) => Promise<T>): Promise<T> => {
      const client = new Client({ connectionString: databaseUrl(system.runId, service) });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      await fetch(system.service('pharmacy-alert').url('/v1/roster/patients'), {
        method: 'POST',
        headers: { ...system.authorization('feed-walk', ['integration']), 'Content-Type': 'application/json' },
        body: JSON.stringify({ patients: [{ pharmacyPatientId: 'SC-WALK', familyName: 'Walk', givenName: 'W', birthDate: '1970-01-01', teamId: OWN, identifiers: [{ authority: 'LGH', value: 'WALK1', type: 'MR' }] }] }),
      });
      await db('pharmacy-alert', async (client) => {
        ids.patient = (await client.query<{ id: string }>(`SELECT id FROM patients WHERE pharmacy_patient_id = 'SC-WALK'`)).rows[0].id;
        await seedRow(client, 'tasks', { id: ids.task, patient_id: ids.patient, team_id: OWN, status: 'open', kind: 'discharge-call', episode_key: `walk-${ids.task}` });
        await seedRow(client, 'identity_reviews', { id: ids.review, candidates: JSON.stringify([{ patientId: ids.patient, score: 0.5 }]), status: 'open' });
      });
      await db('care-gap', (client) => seedRow(client, 'care_gaps', { id: ids.gap, subject: ids.subject, team_id: OWN, status: 'open', coverage: '{}', explanation: '{}' }));
      await db('referral', (client) =>
        seedRow(client, 'referrals', { id: ids.referral, team_id: OWN, status: 'new', priority: 'routine', type: 'home-equipment', queue_id: `${OWN}.general`, subject: ids.subject }),
      );
      await db('notifier', async (client) => {
        await seedRow(client, 'notifications', { id: ids.notification });
        await seedRow(client, 'deliveries', { notification_id: ids.notification, channel: 'sse', recipient: `team:${OWN}`, status: 'delivered' });
      });
    });

    /** The owning team's resource, whoever asks: the other team's caller asks for what is not theirs. */
    const valueFor = (service: ServiceName, template: string, param: string, owner: string): string => {
      if (param === 'teamId') {return OWN;}
      if (param === 'recipientId') {return owner;}
      if (param === 'subject') {return ids.subject;}
      if (param === 'category') {return 'hiv';}
      if (param === 'notificationId') {return ids.notification;}
      if (service === 'pharmacy-alert' && template.startsWith('/v1/tasks')) {return ids.task;}
      if (service === 'pharmacy-alert' && template.startsWith('/v1/patients')) {return ids.patient;}
      if (service === 'pharmacy-alert' && template.startsWith('/v1/identity-reviews')) {return ids.review;}
      if (service === 'care-gap') {return ids.gap;}
      if (service === 'referral') {return ids.referral;}
      return 'unknown';
    };
    const seeded = () => Object.values(ids);

    it.each(SECURED)('%s: every operation open to a team-scoped role has a scope decision that holds', async (name) => {
      const service = system.service(name);
      const document = (await (await fetch(service.url('/docs-json'))).json()) as OpenApiDocument;
      let walked = 0;
      for (const [template, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const route = `${name} ${method} ${template}`;
          const scopedRoles = (operation['x-roles'] ?? []).filter((role) => TEAM_SCOPED_ROLES.includes(role));
          if (scopedRoles.length === 0) {
            continue;
          }
          const scope = operation['x-team-scope'];
          expect({ route, decided: scope !== undefined }).toEqual({ route, decided: true });
          if (!scope || scope.kind === 'none') {
            expect({ route, listed: NO_SCOPE.includes(route) }).toEqual({ route, listed: true });
            continue;
          }
          for (const role of scopedRoles) {
            const owner = `walker-own-${role}`;
            const call = async (caller: string, team: string) => {
              const url = new URL(service.url(template.replace(/\{([^}]+)\}/g, (_, param: string) => valueFor(name, template, param, owner))));
              if (scope.kind === 'team' && scope.in === 'query' && scope.param) {
                url.searchParams.set(scope.param, OWN);
              }
              const response = await fetch(url, { method: method.toUpperCase(), headers: { ...system.authorization(caller, [role], [team]), 'Content-Type': 'application/json' }, body: method === 'get' ? undefined : '{}' });
              return { status: response.status, text: await response.text() };
            };
            const other = await call(`walker-other-${role}`, OTHER);
            const own = await call(owner, OWN);
            // The policy's refusals carry no domain code; a domain answer (NOT_A_RECIPIENT) means the request got through.
            const refusedByScope = (answer: { status: number; text: string }) => [403, 404].includes(answer.status) && !answer.text.includes('"code"');
            if (scope.kind === 'filtered') {
              expect({ route, role, status: other.status, leaked: seeded().some((id) => other.text.includes(id)) }).toEqual({ route, role, status: 200, leaked: false });
              expect({ route, role, status: own.status }).toEqual({ route, role, status: 200 });
            } else {
              expect({ route, role, refused: [403, 404].includes(other.status) }).toEqual({ route, role, refused: true });
              expect({ route, role, letThrough: own.status !== 401 && !refusedByScope(own), status: own.status }).toEqual({ route, role, letThrough: true, status: own.status });
            }
            walked += 1;
          }
        }
      }
      // adt-ingest has no route for team-scoped roles: its operators and feeds see every team.
      expect(walked > 0).toBe(name !== 'adt-ingest');
    }, 120_000);
  });

  describe('input that cannot be stored is a 400, never a 500', () => {
    const everyone = (caller: string) => system.authorization(caller, [...ROLES], ['team-1']);

    it('answers 400 to a NUL in a query string or JSON string and to a body nested 5,000 levels deep', async () => {
      const base = system.service('care-gap').url('');
      expect((await fetch(`${base}/v1/gaps?subject=a%00b`, { headers: everyone('nul-query') })).status).toBe(400);
      const consent = await fetch(`${base}/v1/patients/subject-nul/consents/hiv`, {
        method: 'PUT',
        headers: { ...everyone('nul-body'), 'Content-Type': 'application/json' },
        body: JSON.stringify({ granted: true, reason: 'signed\u0000' }),
      });
      expect(consent.status).toBe(400);
      const deep = `${'{"rows":['.repeat(1)}${'['.repeat(5000)}${']'.repeat(5000)}]}`;
      const nested = await fetch(`${base}/v1/context/conditions`, { method: 'POST', headers: { ...everyone('deep'), 'Content-Type': 'application/json' }, body: deep });
      expect(nested.status).toBe(400);
    });

    it('answers a 70 KB URL with 414 or 431 rather than resetting the connection', async () => {
      const service = system.service('pharmacy-alert');
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port: service.httpPort, path: `/v1/tasks?assigneeId=${'x'.repeat(70_000)}`, headers: everyone('long-url') }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
      expect([414, 431]).toContain(status);
    });

    it('stores the good rows of a roster batch and reports each bad row by index and field', async () => {
      const response = await fetch(system.service('pharmacy-alert').url('/v1/roster/patients'), {
        method: 'POST',
        headers: { ...system.authorization('feed-rows', ['integration']), 'Content-Type': 'application/json' },
        body: JSON.stringify({
          patients: [
            { pharmacyPatientId: 'SC-ROW-1', familyName: 'Good', givenName: 'G', birthDate: '1970-01-01', teamId: 'team-1', identifiers: [{ authority: 'LGH', value: 'ROW1', type: 'MR' }] },
            { pharmacyPatientId: 'SC-ROW-2', familyName: 'Bad\u0000', givenName: 'B', birthDate: '1970-01-01', teamId: 'team-1', identifiers: [{ authority: 'LGH', value: 'ROW2', type: 'MR' }] },
            { pharmacyPatientId: 'SC-ROW-3', familyName: 'Good', givenName: 'H', birthDate: '1970-01-02', teamId: 'team-1', identifiers: [{ authority: 'LGH', value: 'ROW3', type: 'MR' }] },
          ],
        }),
      });
      expect(response.status).toBe(200);
      const result = (await response.json()) as { accepted: number; rejected: number; rowErrors: Array<{ row: number; errors: string[] }> };
      expect(result).toMatchObject({ accepted: 2, rejected: 1 });
      expect(result.rowErrors).toEqual([{ row: 2, errors: [expect.stringContaining('familyName')] }]);
    });

    it.each(SECURED)('%s: generated hostile bodies and query strings never get a 5xx from any operation', async (name) => {
      const service = system.service(name);
      const document = (await (await fetch(service.url('/docs-json'))).json()) as OpenApiDocument;
      const operations = Object.entries(document.paths).flatMap(([template, methods]) =>
        Object.entries(methods)
          .filter(([, operation]) => !operation['x-public'] && !template.startsWith('/v1/streams'))
          .map(([method]) => ({ template, method })),
      );
      const hostileString = fc.oneof(fc.string(), fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', '\\', "'; DROP TABLE x; --", '9'.repeat(400), '-1e309', '1970-13-45'));
      const hostileJson = fc.letrec((tie) => ({
        value: fc.oneof({ depthSize: 'small' }, hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 })),
      })).value;
      let calls = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...operations), fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), hostileString, { maxKeys: 3 }), hostileJson, hostileString, async (operation, query, body, segment) => {
          const path = operation.template.replace(/\{[^}]+\}/g, () => encodeURIComponent(Buffer.from(segment, 'utf8').toString('utf8')) || 'x');
          const url = new URL(service.url(path));
          for (const [key, value] of Object.entries(query)) {
            url.searchParams.set(key, value);
          }
          calls += 1;
          const response = await fetch(url, {
            method: operation.method.toUpperCase(),
            headers: { ...everyone(`fuzz-${name}-${calls}`), 'Content-Type': 'application/json' },
            body: operation.method === 'get' ? undefined : JSON.stringify(body),
          });
          await response.arrayBuffer();
          return response.status < 500;
        }),
        { numRuns: 150, seed: 28 },
      );
    }, 120_000);
  });

  it.each(['http://127.0.0.1:3001/v1/tasks', 'http://169.254.169.254/latest/meta-data/', 'http://localhost:6379/', 'http://10.0.0.5/hook', 'http://[::1]/hook'])(
    'refuses to point a webhook at %s (server-side request forgery)',
    async (url) => {
      const base = system.service('notifier').url('');
      const self = system.authorization('pharm-ssrf', ['pharmacist'], ['team-1']);
      const admin = { ...system.authorization('notifier-admin', ['admin']), 'Content-Type': 'application/json' };
      await fetch(`${base}/v1/recipients/pharm-ssrf`, { method: 'PUT', headers: admin, body: JSON.stringify({ roles: ['pharmacist'], teams: ['team-1'] }) });
      const response = await fetch(`${base}/v1/recipients/pharm-ssrf/webhook`, {
        method: 'PUT',
        headers: { ...self, 'Content-Type': 'application/json' },
        body: JSON.stringify({ url, secret: 's'.repeat(40) }),
      });
      expect(response.status).toBe(422);
      expect(await response.text()).toContain('WEBHOOK_URL_NOT_ALLOWED');
    },
  );
});
