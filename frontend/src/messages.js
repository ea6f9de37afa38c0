import { defineMessages } from '@edx/frontend-platform/i18n';

// Every string the widgets show. The ids are the keys of src/i18n/<locale>.json (pt-BR and ar, the
// languages the plugin's Django side speaks); a message missing there falls back to its English.
const messages = defineMessages({
  heading: { id: 'cert_plugin.card.heading', defaultMessage: 'Certificate' },
  loading: { id: 'cert_plugin.card.loading', defaultMessage: 'Loading your certificate status' },
  loadFailed: {
    id: 'cert_plugin.card.load_failed',
    defaultMessage: 'Your certificate status could not be loaded.',
  },
  tryAgain: { id: 'cert_plugin.card.try_again', defaultMessage: 'Try again' },
  earned: { id: 'cert_plugin.card.earned', defaultMessage: 'You earned a certificate' },
  issuedOn: { id: 'cert_plugin.card.issued_on', defaultMessage: 'Issued on {date}' },
  validUntil: { id: 'cert_plugin.card.valid_until', defaultMessage: 'Valid until {date}' },
  code: { id: 'cert_plugin.card.code', defaultMessage: 'Verification code' },
  downloadPdf: { id: 'cert_plugin.card.download_pdf', defaultMessage: 'Download PDF' },
  downloadPng: { id: 'cert_plugin.card.download_png', defaultMessage: 'Download PNG' },
  view: { id: 'cert_plugin.card.view', defaultMessage: 'View certificate' },
  share: { id: 'cert_plugin.card.share', defaultMessage: 'Share' },
  shareCopied: {
    id: 'cert_plugin.card.share_copied',
    defaultMessage: 'Verification link copied. Anyone with it can check your certificate.',
  },
  shareManual: {
    id: 'cert_plugin.card.share_manual',
    defaultMessage: 'Copy this verification link to share your certificate:',
  },
  inProgress: { id: 'cert_plugin.card.in_progress', defaultMessage: 'Certificate in progress' },
  percentDone: { id: 'cert_plugin.card.percent_done', defaultMessage: '{percent}% of the requirements met' },
  checklist: { id: 'cert_plugin.card.checklist', defaultMessage: 'Requirements' },
  met: { id: 'cert_plugin.card.met', defaultMessage: 'Met' },
  notMet: { id: 'cert_plugin.card.not_met', defaultMessage: 'Not met yet' },
  nextStep: { id: 'cert_plugin.card.next_step', defaultMessage: 'Next step: {requirement}' },
  allMet: {
    id: 'cert_plugin.card.all_met',
    defaultMessage: 'You meet every requirement. Your certificate is being issued.',
  },
  awaiting: { id: 'cert_plugin.card.awaiting', defaultMessage: 'Awaiting approval' },
  notApproved: { id: 'cert_plugin.card.not_approved', defaultMessage: 'Not approved' },
  askReview: { id: 'cert_plugin.card.ask_review', defaultMessage: 'Ask the staff to reconsider' },
  expired: { id: 'cert_plugin.card.expired', defaultMessage: 'Certificate expired' },
  expiredOn: { id: 'cert_plugin.card.expired_on', defaultMessage: 'Your certificate {code} expired on {date}.' },
  remaining: { id: 'cert_plugin.card.remaining', defaultMessage: 'Left before a new certificate' },
  earlierWork: {
    id: 'cert_plugin.card.earlier_work',
    defaultMessage: 'Work you did before the expiry counts too.',
  },
  recertify: { id: 'cert_plugin.card.recertify', defaultMessage: 'Get my new certificate' },
  recertifying: { id: 'cert_plugin.card.recertifying', defaultMessage: 'Issuing your new certificate' },
  recertifyFailed: {
    id: 'cert_plugin.card.recertify_failed',
    defaultMessage: 'Your new certificate could not be issued just now. Try again in a moment.',
  },
  revoked: { id: 'cert_plugin.card.revoked', defaultMessage: 'Certificate revoked' },
  revokedReason: { id: 'cert_plugin.card.revoked_reason', defaultMessage: 'Reason: {reason}' },
  allCertificates: { id: 'cert_plugin.card.all_certificates', defaultMessage: 'All my certificates' },
  // learner dashboard
  cardDownload: { id: 'cert_plugin.dashboard.download', defaultMessage: 'Download certificate' },
  cardProgress: { id: 'cert_plugin.dashboard.progress', defaultMessage: 'Certificate progress: {percent}%' },
  cardAwaiting: { id: 'cert_plugin.dashboard.awaiting', defaultMessage: 'Certificate awaiting approval' },
  cardExpired: { id: 'cert_plugin.dashboard.expired', defaultMessage: 'Renew certificate' },
  cardRevoked: { id: 'cert_plugin.dashboard.revoked', defaultMessage: 'Certificate revoked' },
  cardNotApproved: { id: 'cert_plugin.dashboard.not_approved', defaultMessage: 'Certificate not approved' },
  forCourse: { id: 'cert_plugin.dashboard.for_course', defaultMessage: '({course})' },
  myCertificates: { id: 'cert_plugin.dashboard.my_certificates', defaultMessage: 'My certificates' },
  earnedCount: {
    id: 'cert_plugin.dashboard.earned_count',
    defaultMessage: '{count, plural, =0 {No certificate earned yet} one {# certificate earned} other {# certificates earned}}',
  },
  statusIssued: { id: 'cert_plugin.status.issued', defaultMessage: 'Earned' },
  statusExpired: { id: 'cert_plugin.status.expired', defaultMessage: 'Expired' },
  statusRevoked: { id: 'cert_plugin.status.revoked', defaultMessage: 'Revoked' },
  statusNotApproved: { id: 'cert_plugin.status.not_approved', defaultMessage: 'Not approved' },
  statusPending: { id: 'cert_plugin.status.pending_approval', defaultMessage: 'Awaiting approval' },
  statusInProgress: { id: 'cert_plugin.status.in_progress', defaultMessage: 'In progress, {percent}%' },
  more: {
    id: 'cert_plugin.dashboard.more',
    defaultMessage: '{count, plural, one {and # more course} other {and # more courses}}',
  },
});

export default messages;
