import React from 'react';
import PropTypes from 'prop-types';
import { Icon } from '@openedx/paragon';
import { CheckCircle, RadioButtonUnchecked } from '@openedx/paragon/icons';
import { useIntl } from '@edx/frontend-platform/i18n';

import messages from './messages';

// The gap after an icon, on its reading side (Bootstrap 4's mr-2 does not flip in right-to-left pages).
export const AFTER = { marginInlineEnd: '0.5rem' };

export const itemShape = PropTypes.shape({
  key: PropTypes.string.isRequired,
  label: PropTypes.string.isRequired,
  met: PropTypes.bool.isRequired,
  detail: PropTypes.string,
  url: PropTypes.string,
});

/** The requirements, each met or not, as the Django "My certificates" tab lists them. */
export default function Checklist({ items = [], heading }) {
  const { formatMessage } = useIntl();
  if (!items || items.length === 0) { return null; }
  return (
    <>
      <p className="small font-weight-bold mb-1">{heading}</p>
      <ul className="list-unstyled small mb-3" data-cert-plugin="checklist">
        {items.map((item) => (
          <li key={item.key} className="d-flex align-items-start mb-2" data-met={item.met ? 'true' : 'false'}>
            <Icon
              src={item.met ? CheckCircle : RadioButtonUnchecked}
              className={`flex-shrink-0 ${item.met ? 'text-success' : 'text-gray-500'}`}
              style={AFTER}
              size="sm"
            />
            <span>
              <span className="sr-only">{formatMessage(item.met ? messages.met : messages.notMet)}: </span>
              {!item.met && item.url ? <a href={item.url}>{item.label}</a> : item.label}
              {item.detail ? <span className="d-block text-gray-700">{item.detail}</span> : null}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

Checklist.propTypes = {
  items: PropTypes.arrayOf(itemShape),
  heading: PropTypes.string.isRequired,
};
