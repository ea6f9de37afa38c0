import { DIRECT_PLUGIN, PLUGIN_OPERATIONS } from '@openedx/frontend-plugin-framework';

import { ProgressTabMainBody, ProgressTabSidePanel } from './CertificateProgressCard';
import { courseCardAction } from './CourseCardAction';
import MyCertificatesWidget from './MyCertificatesWidget';

// The slot ids, as in frontend-app-learning and frontend-app-learner-dashboard
// (src/plugin-slots/<Slot>/index.jsx), the same on release/ulmo and release/verawood.
export const SLOTS = {
  progressSidePanel: 'org.openedx.frontend.learning.progress_tab_certificate_status_side_panel.v1',
  progressMainBody: 'org.openedx.frontend.learning.progress_tab_certificate_status_main_body.v1',
  courseCardAction: 'org.openedx.frontend.learner_dashboard.course_card_action.v1',
  widgetSidebar: 'org.openedx.frontend.learner_dashboard.widget_sidebar.v1',
};

const insert = (id, RenderWidget, priority = 60) => ({
  op: PLUGIN_OPERATIONS.Insert,
  widget: { id, type: DIRECT_PLUGIN, priority, RenderWidget },
});

const slot = (plugins, keepDefault) => ({ keepDefault, plugins });

/**
 * `pluginSlots` for frontend-app-learning's env.config.jsx: the certificate card on the Progress tab.
 * `keepDefault: false` hides the platform's own certificate card, where cert_plugin replaces the
 * platform's certificates.
 */
export function learningPluginSlots({ keepDefault = true } = {}) {
  return {
    [SLOTS.progressSidePanel]: slot([insert('cert_plugin_progress_side_panel', ProgressTabSidePanel)], keepDefault),
    [SLOTS.progressMainBody]: slot([insert('cert_plugin_progress_main_body', ProgressTabMainBody)], keepDefault),
  };
}

/**
 * `pluginSlots` for frontend-app-learner-dashboard's env.config.jsx: "My certificates" in the
 * sidebar and, given the dashboard's hook for a card's course id (see courseCardAction), a
 * "Certificate" action on each course card.
 */
export function learnerDashboardPluginSlots({ useCourseIdOfCard = null } = {}) {
  const slots = {
    [SLOTS.widgetSidebar]: slot([insert('cert_plugin_my_certificates', MyCertificatesWidget, 40)], true),
  };
  if (useCourseIdOfCard) {
    slots[SLOTS.courseCardAction] = slot(
      [insert('cert_plugin_course_card_action', courseCardAction(useCourseIdOfCard))],
      true,
    );
  }
  return slots;
}
