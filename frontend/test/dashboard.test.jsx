import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import CourseCardCertificateAction, { courseCardAction } from '../src/CourseCardAction';
import MyCertificatesWidget from '../src/MyCertificatesWidget';
import {
  API, COURSE, ITEMS, LMS, certificate, renderIn, setUpHost,
} from './helpers';

const MINE = `${API}/me/certificates/`;

// A row of GET me/certificates/ (CourseStatusSerializer).
const row = (key, title, status, overrides = {}) => ({
  course_key: key,
  course_title: title,
  course_url: `${LMS}/courses/${key}/`,
  status,
  percent: status === 'issued' ? 100 : 40,
  items: status === 'issued' ? [] : ITEMS,
  message: '',
  certificate: null,
  profile_name: '',
  reissue_requested: false,
  refusal: null,
  recertification: null,
  ...overrides,
});

const EARNED = row(COURSE, 'Python for Data Work', 'issued', { certificate: certificate() });
const ROWS = [
  EARNED,
  row('course-v1:Northwind+SQL201+2026', 'SQL in Practice', 'in_progress'),
  row('course-v1:Northwind+SEC101+2026', 'Security Basics', 'expired', {
    certificate: certificate({ code: 'EXPD-0000-0000-0001', expires_at: '2026-01-01T00:00:00Z' }),
  }),
  row('course-v1:Northwind+ETH101+2026', 'Research Ethics', 'revoked', {
    certificate: certificate({ code: 'REVK-0000-0000-0001', status: 'revoked' }),
  }),
  row('course-v1:Northwind+CAP301+2026', 'Capstone', 'pending_approval'),
  row('course-v1:Northwind+LAB101+2026', 'Lab Safety', 'not_approved'),
];

let http;
beforeEach(() => { http = setUpHost(); });

describe('the course card "Certificate" action', () => {
  it('downloads the PDF once earned, naming the course to screen readers', async () => {
    http.onGet(MINE).reply(200, ROWS);
    renderIn(<CourseCardCertificateAction courseId={COURSE} />);
    const action = await screen.findByRole('link', { name: 'Download certificate (Python for Data Work)' });
    expect(action).toHaveAttribute('href', certificate().urls.pdf);
  });

  it.each([
    ['course-v1:Northwind+SQL201+2026', 'Certificate progress: 40% (SQL in Practice)', 'in_progress'],
    ['course-v1:Northwind+SEC101+2026', 'Renew certificate (Security Basics)', 'expired'],
    ['course-v1:Northwind+ETH101+2026', 'Certificate revoked (Research Ethics)', 'revoked'],
    ['course-v1:Northwind+CAP301+2026', 'Certificate awaiting approval (Capstone)', 'awaiting_approval'],
    ['course-v1:Northwind+LAB101+2026', 'Certificate not approved (Lab Safety)', 'not_approved'],
  ])('%s: links to the learner\'s progress on "My certificates" (%s)', async (key, name, state) => {
    http.onGet(MINE).reply(200, ROWS);
    renderIn(<CourseCardCertificateAction courseId={key} />);
    const action = await screen.findByRole('link', { name });
    expect(action).toHaveAttribute('href', `${LMS}/certs/#${key}`);
    expect(action).toHaveAttribute('data-state', state);
  });

  it('shows nothing for a course that offers no certificate, nor while loading, nor on failure', async () => {
    http.onGet(MINE).replyOnce(200, ROWS);
    const { container } = renderIn(<CourseCardCertificateAction courseId="course-v1:Other+X+1" />);
    await waitFor(() => expect(http.history.get).toHaveLength(1));
    expect(container).toBeEmptyDOMElement();
  });

  it('every card of the page shares one request', async () => {
    http.onGet(MINE).reply(200, ROWS);
    const Action = courseCardAction((cardId) => ROWS[Number(cardId.split('-')[1])].course_key);
    renderIn(<>{ROWS.map((_, index) => <Action key={index} cardId={`card-${index}`} />)}</>);
    expect(await screen.findAllByRole('link')).toHaveLength(ROWS.length);
    expect(http.history.get).toHaveLength(1);
  });

  it('a failed request leaves the card alone', async () => {
    http.onGet(MINE).reply(500);
    const { container } = renderIn(<CourseCardCertificateAction courseId={COURSE} />);
    await waitFor(() => expect(http.history.get).toHaveLength(1));
    expect(container).toBeEmptyDOMElement();
  });

  it('speaks Arabic in an Arabic dashboard', async () => {
    http.onGet(MINE).reply(200, ROWS);
    renderIn(<CourseCardCertificateAction courseId={COURSE} />, 'ar');
    expect(await screen.findByRole('link', { name: /تنزيل الشهادة/ })).toBeInTheDocument();
  });
});

describe('"My certificates" in the learner dashboard sidebar', () => {
  it('counts the certificates earned and lists each course with its state', async () => {
    http.onGet(MINE).reply(200, ROWS.slice(0, 5));
    renderIn(<MyCertificatesWidget />);
    const widget = (await screen.findByRole('heading', { name: 'My certificates' })).closest('[data-cert-plugin]');
    expect(await within(widget).findByText('1 certificate earned')).toBeInTheDocument();
    const items = within(widget).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([
      'Python for Data Work Earned',
      'SQL in Practice In progress, 40%',
      'Security Basics Expired',
      'Research Ethics Revoked',
      'Capstone Awaiting approval',
    ]);
    expect(within(widget).getByRole('link', { name: 'Python for Data Work' })).toHaveAttribute('href', certificate().urls.page);
    expect(within(widget).getByRole('link', { name: 'SQL in Practice' }))
      .toHaveAttribute('href', `${LMS}/certs/#course-v1:Northwind+SQL201+2026`);
    expect(within(widget).getByRole('link', { name: 'All my certificates' })).toHaveAttribute('href', `${LMS}/certs/`);
  });

  it('shows the first five and says how many more there are', async () => {
    http.onGet(MINE).reply(200, ROWS);
    renderIn(<MyCertificatesWidget />);
    expect(await screen.findByText('and 1 more course')).toBeInTheDocument();
    expect(screen.getAllByRole('listitem')).toHaveLength(5);
  });

  it('is absent for a learner with no course offering a certificate', async () => {
    http.onGet(MINE).reply(200, []);
    const { container } = renderIn(<MyCertificatesWidget />);
    await waitFor(() => expect(http.history.get).toHaveLength(1));
    await waitFor(() => expect(container).toBeEmptyDOMElement());
  });

  it('loading, then a failure with a retry that loads again', async () => {
    http.onGet(MINE).replyOnce(503).onGet(MINE).replyOnce(200, ROWS);
    renderIn(<MyCertificatesWidget />);
    expect(screen.getByText('Loading your certificate status')).toBeInTheDocument();
    expect(await screen.findByText('Your certificate status could not be loaded.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('1 certificate earned')).toBeInTheDocument();
  });

  it('counts in Portuguese', async () => {
    http.onGet(MINE).reply(200, [EARNED, { ...EARNED, course_key: 'course-v1:A+B+C' }]);
    renderIn(<MyCertificatesWidget />, 'pt-BR');
    expect(await screen.findByText('2 certificados obtidos')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Meus certificados' })).toBeInTheDocument();
  });
});
