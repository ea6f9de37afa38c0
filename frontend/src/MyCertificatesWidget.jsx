import React from 'react';
import { Badge, Button, Card } from '@openedx/paragon';
import { useIntl } from '@edx/frontend-platform/i18n';

import { fetchMyCertificates, myCertificatesUrl } from './api';
import messages from './messages';
import RemoteState from './RemoteState';
import { rowState } from './status';
import useRemote from './useRemote';
import { withWidgetIntl } from './WidgetIntl';

const SHOWN = 5;

const BADGES = {
  earned: ['success', messages.statusIssued],
  expired: ['warning', messages.statusExpired],
  revoked: ['danger', messages.statusRevoked],
  not_approved: ['danger', messages.statusNotApproved],
  awaiting_approval: ['info', messages.statusPending],
  in_progress: ['light', messages.statusInProgress],
};

/**
 * "My certificates" in the learner dashboard's sidebar: how many are earned, the first courses
 * (earned first, as the API orders them) and a link to the full list on the LMS. Nothing when no
 * course of the learner offers a certificate.
 */
export function MyCertificatesWidget() {
  const { formatMessage } = useIntl();
  const remote = useRemote(() => fetchMyCertificates(), []);
  if (remote.state === 'done' && remote.data.length === 0) { return null; }
  const rows = remote.state === 'done' ? remote.data : [];
  const earned = rows.filter((row) => rowState(row) === 'earned').length;
  return (
    <Card className="mb-3" data-cert-plugin="my-certificates" data-state={remote.state}>
      <Card.Section>
        <h2 className="h4 mb-3">{formatMessage(messages.myCertificates)}</h2>
        <RemoteState remote={remote} />
        {remote.state === 'done' ? (
          <>
            <p className="small">{formatMessage(messages.earnedCount, { count: earned })}</p>
            <ul className="list-unstyled small">
              {rows.slice(0, SHOWN).map((row) => {
                const state = rowState(row);
                const [variant, label] = BADGES[state];
                const href = state === 'earned' && row.certificate
                  ? row.certificate.urls.page : myCertificatesUrl(row.course_key);
                return (
                  <li key={row.course_key} className="mb-2" data-state={state}>
                    <a href={href}>{row.course_title}</a>{' '}
                    <Badge variant={variant}>{formatMessage(label, { percent: row.percent })}</Badge>
                  </li>
                );
              })}
            </ul>
            {rows.length > SHOWN ? (
              <p className="small">{formatMessage(messages.more, { count: rows.length - SHOWN })}</p>
            ) : null}
          </>
        ) : null}
        <Button as="a" href={myCertificatesUrl()} variant="outline-primary" className="d-block w-100">
          {formatMessage(messages.allCertificates)}
        </Button>
      </Card.Section>
    </Card>
  );
}

const Widget = withWidgetIntl(MyCertificatesWidget);
export default Widget;
