// The plugin's REST API (cert_plugin/rest_api/v1, schema at /certs/api/v1/schema/), called with the
// MFE's authenticated client: the JWT cookie in the Open edX MFEs, whatever auth service the host
// configured elsewhere (the demo harness uses the LMS session).
import { getConfig } from '@edx/frontend-platform';
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';

export const API_PREFIX = '/certs/api/v1';

export const lmsUrl = (path) => `${getConfig().LMS_BASE_URL || ''}${path}`;

/** Where "My certificates" lives on the LMS, optionally at one course's card. */
export const myCertificatesUrl = (courseId) => lmsUrl(courseId ? `/certs/#${courseId}` : '/certs/');

/** One course's progress: GET courses/<course key>/progress/. */
export async function fetchCourseProgress(courseId) {
  const { data } = await getAuthenticatedHttpClient().get(
    lmsUrl(`${API_PREFIX}/courses/${encodeURIComponent(courseId)}/progress/`),
  );
  return data;
}

/** Ask for the new certificate once an expired one's requirements are met again (POST recertify_url). */
export async function recertify(recertifyUrl) {
  const { data } = await getAuthenticatedHttpClient().post(recertifyUrl);
  return data;
}

// Every course card on the learner dashboard needs the same list: one request per page, shared.
let myCertificates = null;

/** The learner's courses that offer (or gave) a certificate: GET me/certificates/, once per page. */
export function fetchMyCertificates({ fresh = false } = {}) {
  if (fresh || myCertificates === null) {
    myCertificates = getAuthenticatedHttpClient()
      .get(lmsUrl(`${API_PREFIX}/me/certificates/`))
      .then(({ data }) => data)
      .catch((error) => { myCertificates = null; throw error; });
  }
  return myCertificates;
}

/** Forget the shared list (tests; a host that changes user without a page load). */
export function forgetMyCertificates() {
  myCertificates = null;
}

/** "not found" answers mean "nothing to show here" (not enrolled, unknown course), not a failure. */
export const isNotFound = (error) => error?.response?.status === 404 || error?.customAttributes?.httpErrorStatus === 404;
