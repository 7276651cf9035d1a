export const ROLES = ['pharmacist', 'nurse', 'team-lead', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];
