// The widgets as a host MFE runs them: frontend-platform configured (LMS_BASE_URL, an auth service),
// an IntlProvider in the host's locale. Only the HTTP layer is replaced: axios-mock-adapter answers
// on the authenticated client with the REST API's shapes (cert_plugin/rest_api/v1/serializers.py).
import React from 'react';
import { render } from '@testing-library/react';
import MockAdapter from 'axios-mock-adapter';
import { mergeConfig } from '@edx/frontend-platform';
import { configure as configureAuth, getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';
import { IntlProvider } from '@edx/frontend-platform/i18n';

import SessionAuthService, { sessionConfig } from '../harness/sessionAuth';
import { forgetMyCertificates } from '../src/api';

export const LMS = 'https://lms.example.org';
export const COURSE = 'course-v1:Northwind+PY101+2026';
export const API = `${LMS}/certs/api/v1`;
export const PROGRESS_URL = `${API}/courses/${encodeURIComponent(COURSE)}/progress/`;

export function setUpHost() {
  const config = sessionConfig(LMS);
  mergeConfig(config);
  configureAuth(SessionAuthService, { config, loggingService: { logError() {}, logInfo() {} } });
  forgetMyCertificates();
  return new MockAdapter(getAuthenticatedHttpClient());
}

export const renderIn = (ui, locale = 'en') => render(<IntlProvider locale={locale} messages={{}}>{ui}</IntlProvider>);

const urls = (code) => ({
  page: `${LMS}/certs/${code}/`,
  pdf: `${LMS}/certs/${code}.pdf`,
  png: `${LMS}/certs/${code}.png`,
  verify: `${LMS}/certs/verify/${code}/`,
  credential: `${LMS}/certs/${code}/credential.json`,
});

export const certificate = (overrides = {}) => ({
  code: 'K7QM-3FXA-92TB-PL4D',
  status: 'issued',
  course_key: COURSE,
  course_title: 'Python for Data Work',
  learner_name: 'Ada Obi',
  issuer: 'Northwind Institute of Technology',
  hours: '12.00',
  grade: 0.92,
  issued_at: '2026-03-14T10:00:00Z',
  expires_at: null,
  revoked_at: null,
  revoke_reason: '',
  is_public: false,
  revision: 1,
  urls: urls('K7QM-3FXA-92TB-PL4D'),
  ...overrides,
});

export const ITEMS = [
  { key: 'lessons', label: 'Complete all lessons', met: true, detail: '14 of 14 lessons completed', url: '' },
  {
    key: 'grade', label: 'Reach a grade of 70%', met: false, detail: 'Current grade: 55%',
    url: `${LMS}/courses/${COURSE}/progress`,
  },
  { key: 'approval', label: 'Approval by the course staff', met: false, detail: 'Not reviewed yet', url: '' },
];

export const progress = (overrides = {}) => ({
  course_key: COURSE,
  user_id: 7,
  status: 'in_progress',
  eligible: false,
  percent: 33,
  items: ITEMS,
  message: '2 requirements left: Reach a grade of 70%; Approval by the course staff.',
  certificate: null,
  refusal: null,
  recertification: null,
  ...overrides,
});
