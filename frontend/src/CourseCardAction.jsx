import React from 'react';
import PropTypes from 'prop-types';
import { Button } from '@openedx/paragon';
import { useIntl } from '@edx/frontend-platform/i18n';

import { fetchMyCertificates, myCertificatesUrl } from './api';
import messages from './messages';
import { rowState } from './status';
import useRemote from './useRemote';
import { withWidgetIntl } from './WidgetIntl';

const LABELS = {
  earned: messages.cardDownload,
  expired: messages.cardExpired,
  revoked: messages.cardRevoked,
  not_approved: messages.cardNotApproved,
  awaiting_approval: messages.cardAwaiting,
  in_progress: messages.cardProgress,
};

/**
 * A course card's "Certificate" action: the PDF once earned, the learner's progress otherwise.
 * Nothing for a course that offers no certificate, while loading, or when the list cannot be read
 * (the card's own actions stay usable; "My certificates" says what went wrong).
 */
export function CourseCardCertificateAction({ courseId = null }) {
  const { formatMessage } = useIntl();
  const remote = useRemote(() => fetchMyCertificates(), []);
  if (!courseId || remote.state !== 'done') { return null; }
  const row = remote.data.find((course) => course.course_key === courseId);
  if (!row) { return null; }
  const state = rowState(row);
  const earned = state === 'earned' && row.certificate;
  return (
    <Button
      as="a"
      href={earned ? row.certificate.urls.pdf : myCertificatesUrl(courseId)}
      variant={earned ? 'primary' : 'outline-primary'}
      data-cert-plugin="course-card-action"
      data-state={state}
    >
      {formatMessage(LABELS[state], { percent: row.percent })}
      <span className="sr-only"> {formatMessage(messages.forCourse, { course: row.course_title })}</span>
    </Button>
  );
}

CourseCardCertificateAction.propTypes = { courseId: PropTypes.string };

const Action = withWidgetIntl(CourseCardCertificateAction);
export default Action;

/**
 * The widget for `org.openedx.frontend.learner_dashboard.course_card_action.v1`, which passes only
 * `cardId`. `useCourseIdOfCard(cardId)` is the learner dashboard's own hook for the card's course id;
 * it changed between release lines, so the host's env.config.jsx passes the one its line has:
 * Ulmo `(cardId) => reduxHooks.useCardCourseRunData(cardId).courseId` (src/hooks),
 * Verawood and later `(cardId) => useCourseData(cardId)?.courseRun?.courseId` (src/hooks).
 */
export function courseCardAction(useCourseIdOfCard) {
  const CourseCardAction = ({ cardId }) => <Action courseId={useCourseIdOfCard(cardId) || null} />;
  CourseCardAction.propTypes = { cardId: PropTypes.string.isRequired };
  return CourseCardAction;
}
