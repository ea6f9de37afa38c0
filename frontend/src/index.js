// cert-plugin-frontend: cert_plugin's widgets for Open edX's learning and learner-dashboard MFEs.
export {
  default as CertificateProgressCard, ProgressTabMainBody, ProgressTabSidePanel, courseIdFromLocation,
} from './CertificateProgressCard';
export { default as CourseCardCertificateAction, courseCardAction } from './CourseCardAction';
export { default as MyCertificatesWidget } from './MyCertificatesWidget';
export { SLOTS, learnerDashboardPluginSlots, learningPluginSlots } from './slots';
export { forgetMyCertificates } from './api';
export { messagesFor } from './i18n';
