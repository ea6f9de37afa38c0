import React from 'react';
import PropTypes from 'prop-types';
import { IntlProvider, useIntl } from '@edx/frontend-platform/i18n';

import { messagesFor } from './i18n';

/**
 * The widgets' own strings in the host's language. A plugin cannot add messages to the MFE's
 * IntlProvider, so each widget nests one of its own, in the locale the MFE already chose.
 */
export default function WidgetIntl({ children }) {
  const { locale } = useIntl();
  return (
    <IntlProvider locale={locale} messages={messagesFor(locale)} defaultLocale="en">
      {children}
    </IntlProvider>
  );
}

WidgetIntl.propTypes = { children: PropTypes.node.isRequired };

/** A component wrapped in WidgetIntl, keeping its name for React's dev tools and test output. */
export function withWidgetIntl(Component) {
  const Wrapped = (props) => <WidgetIntl><Component {...props} /></WidgetIntl>;
  Wrapped.displayName = Component.displayName || Component.name;
  return Wrapped;
}
