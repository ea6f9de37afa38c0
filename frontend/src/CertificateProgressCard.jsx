import React, { useState } from 'react';
import PropTypes from 'prop-types';
import {
  Button, Card, Icon,
} from '@openedx/paragon';
import {
  Block, HourglassEmpty, EventBusy, Pending, Verified, Warning,
} from '@openedx/paragon/icons';
import { useIntl } from '@edx/frontend-platform/i18n';

import {
  fetchCourseProgress, isNotFound, myCertificatesUrl, recertify,
} from './api';
import Checklist, { AFTER } from './Checklist';
import messages from './messages';
import RemoteState from './RemoteState';
import ShareButton from './ShareButton';
import { nextStep, progressState } from './status';
import useRemote from './useRemote';
import { withWidgetIntl } from './WidgetIntl';

/** The course id of the page: /course/<course id>/... in the learning MFE (its slots pass no props). */
export function courseIdFromLocation(location = window.location) {
  const match = location.pathname.match(/\/course\/([^/]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}

const longDate = (intl, value) => intl.formatDate(value, { year: 'numeric', month: 'long', day: 'numeric' });

function Headline({ icon, tone = '', children }) {
  return (
    <p className={`d-flex align-items-center font-weight-bold mb-2 ${tone}`} data-cert-plugin="headline">
      <Icon src={icon} className="flex-shrink-0" style={AFTER} />
      <span>{children}</span>
    </p>
  );
}
Headline.propTypes = { icon: PropTypes.elementType.isRequired, tone: PropTypes.string, children: PropTypes.node.isRequired };

function Earned({ certificate }) {
  const intl = useIntl();
  const { formatMessage } = intl;
  return (
    <>
      <Headline icon={Verified} tone="text-success">{formatMessage(messages.earned)}</Headline>
      <p className="small mb-1">{formatMessage(messages.issuedOn, { date: longDate(intl, certificate.issued_at) })}</p>
      {certificate.expires_at ? (
        <p className="small mb-1">
          {formatMessage(messages.validUntil, { date: longDate(intl, certificate.expires_at) })}
        </p>
      ) : null}
      <p className="small mb-3">
        {formatMessage(messages.code)}: <span className="text-monospace" dir="ltr">{certificate.code}</span>
      </p>
      <Button as="a" href={certificate.urls.pdf} variant="primary" className="mb-2 d-block w-100">
        {formatMessage(messages.downloadPdf)}
      </Button>
      <Button as="a" href={certificate.urls.png} variant="outline-primary" className="mb-2 d-block w-100">
        {formatMessage(messages.downloadPng)}
      </Button>
      <ShareButton verifyUrl={certificate.urls.verify} />
      <a href={certificate.urls.page} className="d-block small mt-2">{formatMessage(messages.view)}</a>
    </>
  );
}
Earned.propTypes = { certificate: PropTypes.shape().isRequired };

function InProgress({ progress }) {
  const { formatMessage } = useIntl();
  const next = nextStep(progress.items);
  const done = formatMessage(messages.percentDone, { percent: progress.percent });
  return (
    <>
      <Headline icon={Pending}>{formatMessage(messages.inProgress)}</Headline>
      {/* Paragon's ProgressBar names its wrapper, not the element with role=progressbar. */}
      <div className="progress mb-1">
        <div
          className="progress-bar bg-success"
          role="progressbar"
          aria-label={done}
          aria-valuenow={progress.percent}
          aria-valuemin={0}
          aria-valuemax={100}
          style={{ width: `${progress.percent}%` }}
        />
      </div>
      <p className="small mb-2">{done}</p>
      {progress.message ? <p className="small">{progress.message}</p> : null}
      {progress.eligible ? <p className="small">{formatMessage(messages.allMet)}</p> : null}
      <Checklist items={progress.items} heading={formatMessage(messages.checklist)} />
      {next?.url ? (
        <Button as="a" href={next.url} variant="primary" className="d-block w-100 mb-2" data-cert-plugin="next-step">
          {formatMessage(messages.nextStep, { requirement: next.label })}
        </Button>
      ) : null}
      {next && !next.url ? (
        <p className="small font-weight-bold" data-cert-plugin="next-step">
          {formatMessage(messages.nextStep, { requirement: next.label })}
        </p>
      ) : null}
    </>
  );
}
InProgress.propTypes = { progress: PropTypes.shape().isRequired };

function Awaiting({ progress }) {
  const { formatMessage } = useIntl();
  return (
    <>
      <Headline icon={HourglassEmpty}>{formatMessage(messages.awaiting)}</Headline>
      {progress.message ? <p className="small">{progress.message}</p> : null}
      <Checklist items={progress.items} heading={formatMessage(messages.checklist)} />
    </>
  );
}
Awaiting.propTypes = { progress: PropTypes.shape().isRequired };

function NotApproved({ progress, courseId }) {
  const { formatMessage } = useIntl();
  return (
    <>
      <Headline icon={Warning} tone="text-danger">{formatMessage(messages.notApproved)}</Headline>
      {progress.message ? <p className="small">{progress.message}</p> : null}
      {progress.refusal?.review_url ? (
        <Button as="a" href={myCertificatesUrl(courseId)} variant="outline-primary" className="d-block w-100 mb-2">
          {formatMessage(messages.askReview)}
        </Button>
      ) : null}
      <Checklist items={progress.items} heading={formatMessage(messages.checklist)} />
    </>
  );
}
NotApproved.propTypes = { progress: PropTypes.shape().isRequired, courseId: PropTypes.string.isRequired };

function Expired({ progress, onRenewed }) {
  const intl = useIntl();
  const { formatMessage } = intl;
  const { recertification } = progress;
  const [renewing, setRenewing] = useState('idle'); // idle | busy | failed
  const renew = async () => {
    setRenewing('busy');
    try {
      onRenewed(await recertify(recertification.recertify_url));
      setRenewing('idle');
    } catch (error) {
      setRenewing('failed');
    }
  };
  return (
    <>
      <Headline icon={EventBusy} tone="text-danger">{formatMessage(messages.expired)}</Headline>
      {/* The server's message says when it expired and what recertifying takes; ours is the fallback. */}
      <p className="small">
        {progress.message || formatMessage(messages.expiredOn, {
          code: recertification.expired_code,
          date: longDate(intl, recertification.expired_at),
        })}
      </p>
      <Checklist items={recertification.remaining} heading={formatMessage(messages.remaining)} />
      {recertification.earlier_work_counts && recertification.remaining.length > 0 ? (
        <p className="small text-gray-700">{formatMessage(messages.earlierWork)}</p>
      ) : null}
      {recertification.recertify_url ? (
        <Button variant="primary" className="d-block w-100 mb-2" onClick={renew} disabled={renewing === 'busy'}>
          {formatMessage(renewing === 'busy' ? messages.recertifying : messages.recertify)}
        </Button>
      ) : null}
      <div role="status" className="small text-danger">
        {renewing === 'failed' ? formatMessage(messages.recertifyFailed) : null}
      </div>
    </>
  );
}
Expired.propTypes = { progress: PropTypes.shape().isRequired, onRenewed: PropTypes.func.isRequired };

function Revoked({ progress }) {
  const { formatMessage } = useIntl();
  const reason = progress.certificate?.revoke_reason;
  return (
    <>
      <Headline icon={Block} tone="text-danger">{formatMessage(messages.revoked)}</Headline>
      {progress.message ? <p className="small">{progress.message}</p> : null}
      {reason ? <p className="small">{formatMessage(messages.revokedReason, { reason })}</p> : null}
    </>
  );
}
Revoked.propTypes = { progress: PropTypes.shape().isRequired };

const VIEWS = {
  earned: ({ progress }) => <Earned certificate={progress.certificate} />,
  in_progress: InProgress,
  awaiting_approval: Awaiting,
  not_approved: NotApproved,
  expired: Expired,
  revoked: Revoked,
};

/**
 * The learner's certificate in one course: status, checklist and next step, downloads and "Share"
 * once earned, approval, expiry and recertification. Shows nothing where the course offers no
 * certificate or the learner is not in it (the API's 404).
 */
export function CertificateProgressCard({ courseId: givenCourseId = null, className = '' }) {
  const { formatMessage } = useIntl();
  const courseId = givenCourseId || courseIdFromLocation();
  const remote = useRemote(() => (courseId ? fetchCourseProgress(courseId) : null), [courseId]);
  if (!courseId) { return null; }
  if (remote.state === 'error' && isNotFound(remote.error)) { return null; }
  const state = remote.state === 'done' ? progressState(remote.data) : remote.state;
  if (state === 'not_offered') { return null; }
  const View = VIEWS[state];
  return (
    <Card className={`mb-4 ${className}`.trim()} data-cert-plugin="progress" data-state={state}>
      <Card.Section>
        <h3 className="h4 mb-3">{formatMessage(messages.heading)}</h3>
        <RemoteState remote={remote} />
        {View ? <View progress={remote.data} courseId={courseId} onRenewed={remote.replace} /> : null}
        {View ? (
          <a href={myCertificatesUrl(courseId)} className="d-block small mt-2">
            {formatMessage(messages.allCertificates)}
          </a>
        ) : null}
      </Card.Section>
    </Card>
  );
}

CertificateProgressCard.propTypes = {
  /** The course; by default the one in the page's URL. */
  courseId: PropTypes.string,
  className: PropTypes.string,
};

const Card_ = withWidgetIntl(CertificateProgressCard);
export default Card_;

// The Progress tab shows the platform's certificate card in its side panel on large screens and in
// its main body below the lg breakpoint; each copy of ours hides where the other one shows.
export const ProgressTabSidePanel = () => <Card_ className="d-none d-lg-block" />;
ProgressTabSidePanel.displayName = 'ProgressTabSidePanel';
export const ProgressTabMainBody = () => <Card_ className="d-lg-none" />;
ProgressTabMainBody.displayName = 'ProgressTabMainBody';
