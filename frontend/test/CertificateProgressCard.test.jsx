import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import CertificateProgressCard, { courseIdFromLocation } from '../src/CertificateProgressCard';
import {
  API, COURSE, ITEMS, LMS, PROGRESS_URL, certificate, progress, renderIn, setUpHost,
} from './helpers';

let http;
beforeEach(() => { http = setUpHost(); });

const card = () => screen.getByRole('heading', { name: 'Certificate' }).closest('[data-cert-plugin="progress"]');

describe('the Progress tab certificate card', () => {
  it('says it is loading, to screen readers too, until the API answers', async () => {
    let answer;
    http.onGet(PROGRESS_URL).reply(() => new Promise((resolve) => { answer = resolve; }));
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('Loading your certificate status')).toBeInTheDocument();
    answer([200, progress()]);
    expect(await screen.findByText('Certificate in progress')).toBeInTheDocument();
    expect(screen.queryByText('Loading your certificate status')).not.toBeInTheDocument();
  });

  it('reports a failed request and loads again when asked', async () => {
    http.onGet(PROGRESS_URL).replyOnce(503).onGet(PROGRESS_URL).replyOnce(200, progress());
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('Your certificate status could not be loaded.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Certificate in progress')).toBeInTheDocument();
    expect(http.history.get).toHaveLength(2);
  });

  it('shows nothing for a course that offers no certificate', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress({
      status: 'not_offered', percent: 0, items: [], message: 'This course does not offer a certificate.',
    }));
    const { container } = renderIn(<CertificateProgressCard courseId={COURSE} />);
    await waitFor(() => expect(http.history.get).toHaveLength(1));
    await waitFor(() => expect(container).toBeEmptyDOMElement());
  });

  it('shows nothing to someone the course does not know (the API answers 404)', async () => {
    http.onGet(PROGRESS_URL).reply(404, { error: 'Unknown course.' });
    const { container } = renderIn(<CertificateProgressCard courseId={COURSE} />);
    await waitFor(() => expect(http.history.get).toHaveLength(1));
    await waitFor(() => expect(container).toBeEmptyDOMElement());
  });

  it('in progress: the share met, the checklist and the next step, linked to where to meet it', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress());
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('33% of the requirements met')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: '33% of the requirements met' })).toHaveAttribute('aria-valuenow', '33');
    const list = within(card()).getByRole('list');
    const items = within(list).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([
      'Met: Complete all lessons14 of 14 lessons completed',
      'Not met yet: Reach a grade of 70%Current grade: 55%',
      'Not met yet: Approval by the course staffNot reviewed yet',
    ]);
    expect(screen.getByRole('link', { name: 'Next step: Reach a grade of 70%' })).toHaveAttribute('href', ITEMS[1].url);
    expect(screen.getByText(/2 requirements left/)).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Download PDF' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'All my certificates' })).toHaveAttribute('href', `${LMS}/certs/#${COURSE}`);
  });

  it('in progress, where the LMS cannot say where to meet a requirement: the next step is named', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress({ items: ITEMS.map((item) => ({ ...item, url: '' })) }));
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('Next step: Reach a grade of 70%')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /Next step/ })).not.toBeInTheDocument();
  });

  it('awaiting approval: says so, with the server message and the checklist', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress({
      status: 'pending_approval',
      percent: 67,
      items: ITEMS.map((item) => (item.key === 'approval' ? item : { ...item, met: true })),
      message: 'All other requirements are met. The course staff will review your work and approve your certificate.',
    }));
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('Awaiting approval')).toBeInTheDocument();
    expect(screen.getByText(/The course staff will review your work/)).toBeInTheDocument();
    expect(screen.getByText('Approval by the course staff').closest('li')).toHaveAttribute('data-met', 'false');
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('earned: downloads, the verification code, validity and Share copying the verify link', async () => {
    const earned = certificate({ expires_at: '2028-03-14T10:00:00Z' });
    http.onGet(PROGRESS_URL).reply(200, progress({
      status: 'issued', eligible: true, percent: 100, items: [], message: 'Your certificate is ready to download.',
      certificate: earned,
    }));
    const user = userEvent.setup();
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('You earned a certificate')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Download PDF' })).toHaveAttribute('href', earned.urls.pdf);
    expect(screen.getByRole('link', { name: 'Download PNG' })).toHaveAttribute('href', earned.urls.png);
    expect(screen.getByRole('link', { name: 'View certificate' })).toHaveAttribute('href', earned.urls.page);
    expect(screen.getByText('Issued on March 14, 2026')).toBeInTheDocument();
    expect(screen.getByText('Valid until March 14, 2028')).toBeInTheDocument();
    expect(screen.getByText('K7QM-3FXA-92TB-PL4D')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Share' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Verification link copied');
    expect(await navigator.clipboard.readText()).toBe(earned.urls.verify);
  });

  it('earned, where the clipboard is refused: the link is shown to copy by hand', async () => {
    const earned = certificate();
    http.onGet(PROGRESS_URL).reply(200, progress({ status: 'issued', certificate: earned, percent: 100 }));
    const user = userEvent.setup();
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    await screen.findByText('You earned a certificate');
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    await user.click(screen.getByRole('button', { name: 'Share' }));
    expect(await screen.findByRole('textbox', { name: /Copy this verification link/ })).toHaveValue(earned.urls.verify);
  });

  it('expired: what remains, and the new certificate once nothing does', async () => {
    const old = certificate({ status: 'issued', expires_at: '2026-01-10T00:00:00Z' });
    const recertifyUrl = `${API}/courses/${encodeURIComponent(COURSE)}/recertify/`;
    const renewed = certificate({ code: 'ZZ9P-LURA-MMXX-0042', issued_at: '2026-12-01T09:00:00Z' });
    http.onGet(PROGRESS_URL).reply(200, progress({
      status: 'in_progress', eligible: true, percent: 100, items: ITEMS.map((item) => ({ ...item, met: true })),
      message: 'Your certificate expired on January 10, 2026. You meet every requirement again.',
      certificate: null,
      recertification: {
        expired_code: old.code, expired_at: old.expires_at, remaining: [], earlier_work_counts: true,
        recertify_url: recertifyUrl,
      },
    }));
    http.onPost(recertifyUrl).reply(200, progress({ status: 'issued', percent: 100, certificate: renewed }));
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('Certificate expired')).toBeInTheDocument();
    expect(screen.getByText('Your certificate expired on January 10, 2026. You meet every requirement again.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Get my new certificate' }));
    expect(await screen.findByText('You earned a certificate')).toBeInTheDocument();
    expect(screen.getByText('ZZ9P-LURA-MMXX-0042')).toBeInTheDocument();
    expect(http.history.post).toHaveLength(1);
  });

  it('expired with requirements left: lists them, and offers no renewal yet', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress({
      message: '',
      recertification: {
        expired_code: 'K7QM-3FXA-92TB-PL4D', expired_at: '2026-01-10T00:00:00Z',
        remaining: [ITEMS[1]], earlier_work_counts: true, recertify_url: null,
      },
    }));
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('Certificate expired')).toBeInTheDocument();
    expect(screen.getByText('Your certificate K7QM-3FXA-92TB-PL4D expired on January 10, 2026.')).toBeInTheDocument();
    expect(screen.getByText('Left before a new certificate')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Reach a grade of 70%' })).toHaveAttribute('href', ITEMS[1].url);
    expect(screen.getByText('Work you did before the expiry counts too.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Get my new certificate' })).not.toBeInTheDocument();
  });

  it('a renewal that fails says so and keeps the card', async () => {
    const recertifyUrl = `${API}/courses/${encodeURIComponent(COURSE)}/recertify/`;
    http.onGet(PROGRESS_URL).reply(200, progress({
      eligible: true,
      recertification: {
        expired_code: 'K7QM-3FXA-92TB-PL4D', expired_at: '2026-01-10T00:00:00Z',
        remaining: [], earlier_work_counts: false, recertify_url: recertifyUrl,
      },
    }));
    http.onPost(recertifyUrl).reply(503);
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Get my new certificate' }));
    expect(await screen.findByText(/could not be issued just now/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Get my new certificate' })).toBeEnabled();
  });

  it('revoked: says so with the date and the reason the issuer made public, and no download', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress({
      certificate: certificate({ status: 'revoked', revoked_at: '2026-05-02T00:00:00Z', revoke_reason: 'Academic misconduct' }),
      message: 'Your certificate was revoked on May 2, 2026. Contact the course staff.',
    }));
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('Certificate revoked')).toBeInTheDocument();
    expect(screen.getByText('Your certificate was revoked on May 2, 2026. Contact the course staff.')).toBeInTheDocument();
    expect(screen.getByText('Reason: Academic misconduct')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Download PDF' })).not.toBeInTheDocument();
  });

  it('not approved: the staff reason and the way to ask them to reconsider', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress({
      refusal: {
        reason: 'The capstone is missing.', decided_at: '2026-04-01T00:00:00Z', review_requested_at: null,
        review_message: '', review_url: `${API}/courses/${encodeURIComponent(COURSE)}/review-request/`,
      },
      message: 'The course staff did not approve your certificate: The capstone is missing.',
    }));
    renderIn(<CertificateProgressCard courseId={COURSE} />);
    expect(await screen.findByText('Not approved')).toBeInTheDocument();
    expect(screen.getByText(/The capstone is missing/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Ask the staff to reconsider' })).toHaveAttribute('href', `${LMS}/certs/#${COURSE}`);
  });

  it('speaks the host MFE language (Portuguese, Arabic)', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress());
    renderIn(<CertificateProgressCard courseId={COURSE} />, 'pt-br');
    expect(await screen.findByText('Certificado em andamento')).toBeInTheDocument();
  });

  it('reads the course from the learning MFE URL when the slot passes no props', () => {
    expect(courseIdFromLocation({ pathname: `/learning/course/${COURSE}/progress` })).toBe(COURSE);
    expect(courseIdFromLocation({ pathname: '/learning/course/course-v1%3AX%2BY%2BZ/progress' })).toBe('course-v1:X+Y+Z');
    expect(courseIdFromLocation({ pathname: '/dashboard' })).toBeNull();
  });
});
