import React from 'react';
import PropTypes from 'prop-types';
import { Alert, Button, Spinner } from '@openedx/paragon';
import { Warning } from '@openedx/paragon/icons';
import { useIntl } from '@edx/frontend-platform/i18n';

import messages from './messages';

/**
 * What a widget shows while its request (useRemote) has no answer: a spinner, announced to screen
 * readers, then, if the request failed, the failure and "Try again". Nothing once it has an answer.
 */
export default function RemoteState({ remote }) {
  const { formatMessage } = useIntl();
  if (remote.state === 'loading') {
    return (
      <div className="d-flex justify-content-center py-2">
        <Spinner animation="border" screenReaderText={formatMessage(messages.loading)} />
      </div>
    );
  }
  if (remote.state === 'error') {
    return (
      <Alert variant="warning" icon={Warning} className="small">
        <p>{formatMessage(messages.loadFailed)}</p>
        <Button variant="outline-primary" size="sm" onClick={remote.retry}>
          {formatMessage(messages.tryAgain)}
        </Button>
      </Alert>
    );
  }
  return null;
}

RemoteState.propTypes = {
  remote: PropTypes.shape({ state: PropTypes.string.isRequired, retry: PropTypes.func.isRequired }).isRequired,
};
