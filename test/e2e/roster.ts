/** Roster rows for synthetic patients, loaded through pharmacy-alert's API as an integration feed would. */
export interface RosterEntry {
  pharmacyPatientId: string;
  mrn: string;
  pharmacistId: string;
  familyName?: string;
  language?: string;
}

export async function loadRoster(baseUrl: string, entries: RosterEntry[], authorization: { Authorization: string }): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/roster/patients`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...authorization },
    body: JSON.stringify({
      patients: entries.map((entry) => ({
        pharmacyPatientId: entry.pharmacyPatientId,
        familyName: entry.familyName ?? 'TESTER',
        givenName: 'PAT',
        birthDate: '1968-04-12',
        sex: 'M',
        preferredLanguage: entry.language ?? 'en',
        pharmacistId: entry.pharmacistId,
        teamId: 'team-e2e',
        identifiers: [{ authority: 'LGH', value: entry.mrn, type: 'MR' }],
        therapies: [{ drugSystem: 'RXNORM', drugCode: '327361', drugName: 'adalimumab', conditionCode: 'M06.9' }],
      })),
    }),
  });
  const result = (await response.json()) as { accepted: number };
  if (result.accepted !== entries.length) {
    throw new Error(`roster load accepted ${result.accepted} of ${entries.length}`);
  }
}

export interface TaskSummary {
  id: string;
  kind: string;
  status: string;
  dueAt: string;
  dischargedAt: string;
  priority: string;
  assigneeId: string | null;
  correlationId: string;
}

export async function tasksFor(baseUrl: string, assigneeId: string, authorization: { Authorization: string }): Promise<TaskSummary[]> {
  const response = await fetch(`${baseUrl}/v1/tasks?assigneeId=${encodeURIComponent(assigneeId)}`, { headers: authorization });
  return (await response.json()) as TaskSummary[];
}
