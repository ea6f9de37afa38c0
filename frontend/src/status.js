// What a learner's standing in a course means for the widgets, from the REST API's answers
// (cert_plugin/rest_api/v1/serializers.py: CourseProgressSerializer, CourseStatusSerializer).

/**
 * The widget state of GET courses/<key>/progress/:
 * 'not_offered' | 'earned' | 'revoked' | 'expired' | 'awaiting_approval' | 'not_approved' | 'in_progress'.
 */
export function progressState(progress) {
  if (progress.status === 'not_offered') { return 'not_offered'; }
  if (progress.status === 'issued' && progress.certificate) { return 'earned'; }
  if (progress.certificate?.status === 'revoked') { return 'revoked'; }
  if (progress.recertification) { return 'expired'; }
  if (progress.status === 'pending_approval') { return 'awaiting_approval'; }
  if (progress.refusal) { return 'not_approved'; }
  return 'in_progress';
}

/** The same states for a row of GET me/certificates/ (its `status` is LEARNER_STATUSES). */
export function rowState(row) {
  return {
    issued: 'earned',
    expired: 'expired',
    revoked: 'revoked',
    not_approved: 'not_approved',
    pending_approval: 'awaiting_approval',
  }[row.status] || 'in_progress';
}

/** The first requirement not met that says where to go: the learner's next step. */
export const nextStep = (items) => (items || []).find((item) => !item.met && item.url)
  || (items || []).find((item) => !item.met) || null;
