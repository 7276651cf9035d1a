import type { ReferralAction, ReferralStatus, ReferralType } from '@sc/contracts';
import { ReferralError, ReferralErrorCode } from '../errors/referral-error';

export const OPEN_STATUSES: readonly ReferralStatus[] = ['new', 'claimed', 'in-progress', 'scheduled', 'ordered'];
/** A nurse is working it: the claim is a lease that must be renewed. */
export const LEASED_STATUSES: readonly ReferralStatus[] = ['claimed', 'in-progress'];
/** The work is arranged (visit booked, device or briefing ordered); only its outcome is pending. */
export const ARRANGED_STATUSES: readonly ReferralStatus[] = ['scheduled', 'ordered'];

export type NurseRole = 'nurse' | 'supervisor';

export interface ReferralState {
  type: ReferralType;
  status: ReferralStatus;
  teamId: string;
  skill: string;
  claimedBy: string | null;
  leaseExpiresAt: Date | null;
}

export type Actor =
  | { kind: 'nurse'; id: string; teamId: string; role: NurseRole; skills: readonly string[]; active: boolean }
  /** Someone not in the nurse registry, e.g. the integration that relays a specialist's acknowledgement. */
  | { kind: 'external'; id: string }
  | { kind: 'system' };

export type NurseActor = Extract<Actor, { kind: 'nurse' }>;

export type StepAction = Exclude<ReferralAction, 'create'>;

/** What happens to the lease: a new one from now, unchanged, or none. */
export type LeaseChange = 'grant' | 'keep' | 'clear';

export interface Transition {
  action: StepAction;
  from: ReferralStatus;
  to: ReferralStatus;
  claimant: string | null;
  lease: LeaseChange;
}

const FROM: { readonly [A in StepAction]: readonly ReferralStatus[] } = {
  claim: ['new', ...LEASED_STATUSES],
  release: LEASED_STATUSES,
  reassign: OPEN_STATUSES,
  start: ['claimed'],
  schedule: ['in-progress'],
  order: ['in-progress'],
  'send-briefing': ['in-progress'],
  'acknowledge-briefing': ['ordered'],
  complete: ARRANGED_STATUSES,
  decline: ['claimed', 'in-progress', ...ARRANGED_STATUSES],
  cancel: OPEN_STATUSES,
  'expire-lease': LEASED_STATUSES,
};

/** Equipment and briefings are ordered (a supplier order, a packet sent); visits and programs are scheduled. */
export function arrangedStatusOf(type: ReferralType): 'scheduled' | 'ordered' {
  return type === 'dme-order' || type === 'specialist-briefing' ? 'ordered' : 'scheduled';
}

export const isOpen = (status: ReferralStatus): boolean => OPEN_STATUSES.includes(status);
export const isLeased = (status: ReferralStatus): boolean => LEASED_STATUSES.includes(status);

const leaseLive = (state: ReferralState, now: Date): boolean => state.leaseExpiresAt !== null && state.leaseExpiresAt.getTime() > now.getTime();

function refuse(code: ReferralErrorCode, message: string): never {
  throw new ReferralError(code, message);
}

function checkType(state: ReferralState, action: StepAction): void {
  if (action === 'schedule' && arrangedStatusOf(state.type) !== 'scheduled') {
    refuse(ReferralErrorCode.StepNotForType, `a ${state.type} referral is ordered, not scheduled`);
  }
  if (action === 'order' && state.type !== 'dme-order') {
    refuse(
      ReferralErrorCode.StepNotForType,
      state.type === 'specialist-briefing' ? 'a briefing is ordered by sending it' : `a ${state.type} referral is scheduled, not ordered`,
    );
  }
  if ((action === 'send-briefing' || action === 'acknowledge-briefing') && state.type !== 'specialist-briefing') {
    refuse(ReferralErrorCode.NotABriefing, `a ${state.type} referral has no specialist briefing`);
  }
}

function checkStatus(state: ReferralState, action: StepAction, now: Date): void {
  if (!FROM[action].includes(state.status)) {
    refuse(ReferralErrorCode.InvalidTransition, `cannot ${action} a referral that is ${state.status}`);
  }
  if (action === 'claim' && isLeased(state.status) && leaseLive(state, now)) {
    refuse(ReferralErrorCode.AlreadyClaimed, 'the referral is held by a live claim');
  }
  if (action === 'expire-lease' && leaseLive(state, now)) {
    refuse(ReferralErrorCode.InvalidTransition, 'the lease has not expired');
  }
}

const isSupervisorOf = (actor: Actor, state: ReferralState): boolean =>
  actor.kind === 'nurse' && actor.role === 'supervisor' && actor.active && actor.teamId === state.teamId;

/** The nurse holding the referral; while it is leased, only with a live lease. */
function checkClaimant(state: ReferralState, actor: Actor, now: Date): void {
  if (actor.kind === 'system' || actor.id !== state.claimedBy) {
    refuse(ReferralErrorCode.NotClaimant, 'only the nurse who holds the referral can do this');
  }
  if (isLeased(state.status) && !leaseLive(state, now)) {
    refuse(ReferralErrorCode.LeaseExpired, 'the claim expired; claim the referral again');
  }
}

function checkClaimantOrSupervisor(state: ReferralState, actor: Actor, now: Date): void {
  if (actor.kind === 'system' || isSupervisorOf(actor, state)) {
    return;
  }
  checkClaimant(state, actor, now);
}

function checkActiveNurse(actor: Actor): asserts actor is NurseActor {
  if (actor.kind !== 'nurse') {
    refuse(ReferralErrorCode.NurseNotFound, 'register the nurse before claiming');
  }
  if (!actor.active) {
    refuse(ReferralErrorCode.NurseInactive, 'the nurse is not active');
  }
}

/** Whether the nurse works this referral's queue (team and skill); a supervisor works every queue of the team. */
export function worksQueue(actor: NurseActor, teamId: string, skill: string): boolean {
  return actor.teamId === teamId && (actor.role === 'supervisor' || actor.skills.includes(skill));
}

/**
 * Decides one step of the state machine for `actor`, or refuses it with a code:
 * new -> claimed -> in-progress -> scheduled | ordered -> completed, and declined or cancelled
 * from any open state. The step is checked for the type first, then the status, then the actor.
 * `target` is the nurse a reassignment hands the referral to (checked by the caller for team).
 */
export function planTransition(state: ReferralState, action: StepAction, actor: Actor, now: Date, target?: string): Transition {
  checkType(state, action);
  checkStatus(state, action, now);
  const step = (to: ReferralStatus, claimant: string | null, lease: LeaseChange): Transition => ({ action, from: state.status, to, claimant, lease });
  switch (action) {
    case 'claim':
      checkActiveNurse(actor);
      if (!worksQueue(actor, state.teamId, state.skill)) {
        refuse(ReferralErrorCode.NotInQueue, 'the nurse does not work this queue');
      }
      return step('claimed', actor.id, 'grant');
    case 'expire-lease':
      if (actor.kind !== 'system') {
        refuse(ReferralErrorCode.InvalidTransition, 'only the lease timer expires a claim');
      }
      return step('new', null, 'clear');
    case 'release':
      checkClaimantOrSupervisor(state, actor, now);
      return step('new', null, 'clear');
    case 'reassign': {
      if (target === undefined) {
        return refuse(ReferralErrorCode.NurseNotFound, 'name the nurse to hand the referral to');
      }
      if (state.status === 'new') {
        if (actor.kind !== 'system' && !isSupervisorOf(actor, state)) {
          refuse(ReferralErrorCode.NotSupervisor, 'only a supervisor assigns a waiting referral');
        }
        return step('claimed', target, 'grant');
      }
      checkClaimantOrSupervisor(state, actor, now);
      return step(state.status, target, isLeased(state.status) ? 'grant' : 'keep');
    }
    case 'start':
      checkClaimant(state, actor, now);
      return step('in-progress', state.claimedBy, 'grant');
    case 'schedule':
    case 'order':
    case 'send-briefing':
      checkClaimant(state, actor, now);
      return step(arrangedStatusOf(state.type), state.claimedBy, 'clear');
    case 'acknowledge-briefing':
      return step('completed', state.claimedBy, 'keep');
    case 'complete':
      checkClaimantOrSupervisor(state, actor, now);
      return step('completed', state.claimedBy, 'keep');
    case 'decline':
      checkClaimantOrSupervisor(state, actor, now);
      return step('declined', state.claimedBy, 'clear');
    case 'cancel':
      checkClaimantOrSupervisor(state, actor, now);
      return step('cancelled', state.claimedBy, 'clear');
  }
}

/** Why a renewal is refused, or nothing when the actor may renew: the holder, while the lease is live. */
export function checkRenewal(state: ReferralState, actorId: string, now: Date): void {
  if (!isLeased(state.status)) {
    refuse(ReferralErrorCode.InvalidTransition, `a referral that is ${state.status} has no lease to renew`);
  }
  checkClaimant(state, { kind: 'external', id: actorId }, now);
}
