import React, { useState } from 'react';
import PropTypes from 'prop-types';
import { Button, Icon } from '@openedx/paragon';
import { Share } from '@openedx/paragon/icons';
import { useIntl } from '@edx/frontend-platform/i18n';

import { AFTER } from './Checklist';
import messages from './messages';

/**
 * "Share": copies the public verification link (what the QR code opens). Where the browser refuses
 * the clipboard, the link is shown, selected, to copy by hand. The outcome is announced.
 */
export default function ShareButton({ verifyUrl }) {
  const { formatMessage } = useIntl();
  const [outcome, setOutcome] = useState(null); // null | 'copied' | 'manual'
  const share = async () => {
    try {
      await navigator.clipboard.writeText(verifyUrl);
      setOutcome('copied');
    } catch (error) {
      setOutcome('manual');
    }
  };
  return (
    <>
      <Button variant="outline-primary" onClick={share} className="mb-2 d-block w-100">
        <Icon src={Share} className="d-inline-block" style={AFTER} size="xs" />
        {formatMessage(messages.share)}
      </Button>
      <div role="status" className="small">
        {outcome === 'copied' ? formatMessage(messages.shareCopied) : null}
        {outcome === 'manual' ? (
          <label className="d-block">
            {formatMessage(messages.shareManual)}
            <input
              className="form-control form-control-sm mt-1"
              readOnly
              value={verifyUrl}
              onFocus={(event) => event.target.select()}
            />
          </label>
        ) : null}
      </div>
    </>
  );
}

ShareButton.propTypes = { verifyUrl: PropTypes.string.isRequired };
